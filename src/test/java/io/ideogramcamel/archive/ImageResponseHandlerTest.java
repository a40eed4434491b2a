package io.ideogramcamel.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An image answered without a Content-Length goes through the spool folder; nothing may stay there. */
class ImageResponseHandlerTest {

    @TempDir
    Path spool;

    private ImageResponseHandler handler() {
        ImageResponseHandler handler = new ImageResponseHandler();
        handler.setObjectKeys(new ObjectKeys());
        handler.setSpoolDir(spool.toString());
        return handler;
    }

    /** A 200 answer with {@code contentType} and no Content-Length (chunked). */
    private static Exchange answer(String contentType, InputStream body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(GenerationExchange.GENERATION_ID, "g1");
        exchange.setProperty(ImageResponseHandler.IMAGE_INDEX, 0);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    private long spooled() throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.count();
        }
    }

    @Test
    void aConnectionLostMidImageLeavesNoSpoolFile() throws Exception {
        InputStream broken = new SequenceInputStream(new ByteArrayInputStream(ArchiveToS3Test.png(5000)), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        });

        assertThatThrownBy(() -> handler().process(answer("image/png", broken))).isInstanceOf(IOException.class);

        assertThat(spooled()).isZero();
    }

    @Test
    void markupIsRefusedBeforeAnythingIsSpooled() throws Exception {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> handler().process(answer("image/png", new ByteArrayInputStream(svg))))
                .isInstanceOf(ImageRefusedException.class)
                .hasMessage("unsupported_image_type");

        assertThat(spooled()).isZero();
    }

    @Test
    void aRasterImageIsSpooledWholeUnderItsVerifiedType() throws Exception {
        byte[] gif = ArchiveToS3Test.gif(3);
        Exchange exchange = answer("image/webp", new ByteArrayInputStream(gif));

        handler().process(exchange);

        assertThat(exchange.getProperty(ImageResponseHandler.OBJECT_KEY)).isEqualTo("generations/g1/0.gif");
        assertThat(exchange.getMessage().getHeader(ObjectStoreHeaders.CONTENT_TYPE)).isEqualTo("image/gif");
        Path file = exchange.getMessage().getBody(java.io.File.class).toPath();
        assertThat(file.getParent()).isEqualTo(spool);
        assertThat(file.getFileName().toString()).matches("ideogram-image-[0-9]+\\.part");
        assertThat(Files.readAllBytes(file)).isEqualTo(gif);
    }

    @Test
    void anImageStreamedToS3IsCopiedForItsVariantsOnlyWhileVariantsAreMade() throws Exception {
        byte[] gif = ArchiveToS3Test.gif(3);
        VariantSpecs none = new VariantSpecs();
        none.setNames("");
        none.init();
        ImageResponseHandler handler = handler();
        handler.setBucket("bucket");
        handler.setVariantSpecs(none);
        Exchange exchange = answer("image/gif", new ByteArrayInputStream(gif));
        exchange.getMessage().setHeader(Exchange.CONTENT_LENGTH, (long) gif.length);

        handler.process(exchange);

        assertThat(exchange.getMessage().getBody()).as("variants.enabled but no names: no copy")
                .isInstanceOf(MeteredInputStream.class);
        assertThat(exchange.getProperty(GenerationExchange.SPOOLED_IMAGES)).isNull();
        assertThat(spooled()).isZero();
    }
}
