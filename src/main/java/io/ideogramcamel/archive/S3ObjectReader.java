package io.ideogramcamel.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * For the variants of an image not spooled on this exchange (a re-run, the re-make, an image that
 * came with a length and was streamed to S3): the stored original, copied to a temporary file in
 * archive.spool-dir (the decoder wants random access, and the heap should not hold 50 MiB). The
 * file is named like the fetch's spool files, so {@link LeftoverSweeper} removes it after a crash.
 * An object that is gone leaves {@link GenerationExchange#VARIANT_SOURCE} unset; one larger than
 * ideogram.image.max-bytes also, with {@link GenerationExchange#VARIANT_SOURCE_REFUSAL} too_large;
 * any other S3 failure fails the attempt like a failed put, and is retried the same way.
 */
public class S3ObjectReader {

    private S3Client s3Client;
    private String bucket;
    private Path spoolDir = Path.of(System.getProperty("java.io.tmpdir"));
    private long maxBytes = 50L * 1024 * 1024;

    public void setS3Client(S3Client s3Client) {
        this.s3Client = s3Client;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    public void setSpoolDir(String spoolDir) {
        this.spoolDir = Path.of(spoolDir);
    }

    /** ideogram.image.max-bytes: what was stored was at most this; more is not read. */
    public void setMaxBytes(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public void fetch(Exchange exchange) throws IOException {
        String key = exchange.getProperty(ImageResponseHandler.OBJECT_KEY, String.class);
        exchange.removeProperty(GenerationExchange.VARIANT_SOURCE);
        exchange.removeProperty(GenerationExchange.VARIANT_SOURCE_REFUSAL);
        Files.createDirectories(spoolDir);
        Path file = Files.createTempFile(spoolDir, ImageResponseHandler.SPOOL_PREFIX, ImageResponseHandler.SPOOL_SUFFIX);
        boolean kept = false;
        try (InputStream in = new MeteredInputStream(s3Client.getObject(request -> request.bucket(bucket).key(key)),
                maxBytes)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            kept = true;
        } catch (MeteredInputStream.ImageTooLargeException tooLarge) {
            // stored while ideogram.image.max-bytes was larger: its variants are FAILED too_large;
            // thrown on, it would read as a refused image (archive) or fail every re-make
            exchange.setProperty(GenerationExchange.VARIANT_SOURCE_REFUSAL, VariantWork.TOO_LARGE);
            return;
        } catch (NoSuchKeyException gone) {
            return;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return;
            }
            throw e;
        } finally {
            if (!kept) {
                Files.deleteIfExists(file);
            }
        }
        exchange.setProperty(GenerationExchange.VARIANT_SOURCE, file);
        exchange.setProperty(GenerationExchange.VARIANT_SOURCE_TEMPORARY, true);
    }
}
