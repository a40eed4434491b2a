package io.ideogramcamel.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeteredInputStreamTest {

    @Test
    void passesTheBytesThroughWhileCountingAndHashingThem() throws Exception {
        byte[] bytes = "an image, honestly".getBytes();
        MeteredInputStream metered = new MeteredInputStream(new ByteArrayInputStream(bytes), 1000);

        assertThat(metered.readAllBytes()).isEqualTo(bytes);
        assertThat(metered.size()).isEqualTo(bytes.length);
        assertThat(metered.sha256Hex())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    @Test
    void aStreamLongerThanTheLimitFailsOnceTheLimitIsPassed() {
        MeteredInputStream metered = new MeteredInputStream(new ByteArrayInputStream(new byte[101]), 100);

        assertThatThrownBy(metered::readAllBytes).isInstanceOf(MeteredInputStream.ImageTooLargeException.class);
        assertThat(metered.size()).isEqualTo(101);
    }

    @Test
    void aStreamThatTricklesPastItsDeadlineFails() {
        InputStream trickle = new InputStream() {
            @Override
            public int read() throws IOException {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return 'x';
            }
        };
        MeteredInputStream metered = new MeteredInputStream(trickle, Long.MAX_VALUE, TimeUnit.MILLISECONDS.toNanos(100));

        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) {
                metered.read();
            }
        }).isInstanceOf(MeteredInputStream.ImageTooSlowException.class);
        assertThat(metered.size()).isBetween(3L, 20L);
    }
}
