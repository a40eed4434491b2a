package io.ideogramcamel.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RasterImageTypeTest {

    private static RasterImageType sniff(byte[] bytes) throws IOException {
        return RasterImageType.sniff(RasterImageType.peekable(new ByteArrayInputStream(bytes)));
    }

    @Test
    void recognisesTheFourRasterFormatsByTheirFirstBytes() throws IOException {
        assertThat(sniff(ArchiveToS3Test.png(1))).isEqualTo(RasterImageType.PNG);
        assertThat(sniff(ArchiveToS3Test.jpeg(1))).isEqualTo(RasterImageType.JPEG);
        assertThat(sniff(ArchiveToS3Test.webp(1))).isEqualTo(RasterImageType.WEBP);
        assertThat(sniff(ArchiveToS3Test.gif(1))).isEqualTo(RasterImageType.GIF);
        assertThat(sniff("GIF87a....".getBytes(StandardCharsets.US_ASCII))).isEqualTo(RasterImageType.GIF);
    }

    @Test
    void refusesMarkupOtherContainersTruncatedSignaturesAndNothing() throws IOException {
        assertThat(sniff("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(sniff("<?xml version=\"1.0\"?><svg/>".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(sniff("<!DOCTYPE html><html>".getBytes(StandardCharsets.UTF_8))).isNull();
        // RIFF but a WAVE file, not WebP
        assertThat(sniff("RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.US_ASCII))).isNull();
        assertThat(sniff(new byte[] { (byte) 0x89, 'P', 'N', 'G' })).isNull();
        assertThat(sniff(new byte[0])).isNull();
    }

    @Test
    void theSniffedBytesAreStillThereForTheStoreEvenWhenTheyArriveOneAtATime() throws IOException {
        byte[] image = ArchiveToS3Test.webp(7);
        InputStream trickle = new ByteArrayInputStream(image) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        PushbackInputStream in = RasterImageType.peekable(trickle);

        assertThat(RasterImageType.sniff(in)).isEqualTo(RasterImageType.WEBP);
        assertThat(in.readAllBytes()).isEqualTo(image);
    }
}
