package io.ideogramcamel.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.util.IOHelper;

/**
 * Reads the image host's answer (camel-http with throwExceptionOnFailure=false, no automatic
 * redirects, no stream cache) and decides: follow a redirect (only to an allowed host, at most
 * {@code maxRedirects}), hand the image on as a metered stream with its object key, refuse it,
 * retry later, or fail the generation.
 */
public class ImageResponseHandler implements Processor {

    /** Exchange properties shared with archive-generation.camel.yaml. */
    public static final String IMAGE_URL = "imageUrl";
    public static final String IMAGE_INDEX = "imageIndex";
    public static final String IMAGE_REDIRECTS = "imageRedirects";
    public static final String IMAGE_FETCHED = "imageFetched";
    public static final String IMAGE_STREAM = "imageStream";
    public static final String IMAGE_CONTENT_TYPE = "imageContentType";
    public static final String OBJECT_KEY = "objectKey";
    /** The refusal of a body that is not PNG, JPEG, GIF or WebP by its bytes. */
    public static final String UNSUPPORTED_IMAGE_TYPE = "unsupported_image_type";
    /** Spooled images are named {@code ideogram-image-<number>.part}; {@link LeftoverSweeper} knows it. */
    static final String SPOOL_PREFIX = "ideogram-image-";
    static final String SPOOL_SUFFIX = ".part";

    private ImageHostPolicy hostPolicy;
    private ObjectKeys objectKeys;
    private long maxBytes = 50L * 1024 * 1024;
    private int maxRedirects = 3;
    private long maxSeconds = 240;
    private Path spoolDir = Path.of(System.getProperty("java.io.tmpdir"));
    private VariantSpecs variantSpecs;
    private String bucket = "";

    public void setHostPolicy(ImageHostPolicy hostPolicy) {
        this.hostPolicy = hostPolicy;
    }

    public void setObjectKeys(ObjectKeys objectKeys) {
        this.objectKeys = objectKeys;
    }

    public void setMaxBytes(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public void setMaxRedirects(int maxRedirects) {
        this.maxRedirects = maxRedirects;
    }

    /** Where images without a Content-Length are spooled (archive.spool-dir). */
    public void setSpoolDir(String spoolDir) {
        this.spoolDir = Path.of(spoolDir);
    }

    /**
     * When variants are made ({@link VariantSpecs#isEnabled}: on and at least one name), an image
     * streamed to S3 is also copied to the spool, for its variants; asked per image, so an empty
     * variants.names makes no copies.
     */
    public void setVariantSpecs(VariantSpecs variantSpecs) {
        this.variantSpecs = variantSpecs;
    }

    /** storage.s3.bucket: only an image streamed to S3 needs a copy (the folder's file is read in place). */
    public void setBucket(String bucket) {
        this.bucket = bucket == null ? "" : bucket;
    }

    /** Longest one image may take to arrive whole; keep it below archive.lease-seconds. */
    public void setMaxSeconds(long maxSeconds) {
        this.maxSeconds = maxSeconds;
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status >= 300 && status < 400 && status != 304) {
            IOHelper.close(message.getBody(InputStream.class));
            followRedirect(exchange, message.getHeader("Location", String.class));
        } else if (status >= 200 && status < 300) {
            acceptImage(exchange, message);
        } else {
            IOHelper.close(message.getBody(InputStream.class));
            if (status == 429 || status >= 500 || status == 408) {
                throw new ImageFetchRetryableException("image_http_" + status);
            }
            // 4xx: the link expired or never existed; asking again will not change that
            throw new ArchiveFailedException("image_http_" + status);
        }
    }

    private void followRedirect(Exchange exchange, String location) {
        int redirects = exchange.getProperty(IMAGE_REDIRECTS, 0, Integer.class) + 1;
        if (location == null || location.isBlank()) {
            throw new ArchiveFailedException("image_redirect_without_location");
        }
        if (redirects > maxRedirects) {
            throw new ImageRefusedException("too_many_redirects");
        }
        URI next;
        try {
            next = URI.create(exchange.getProperty(IMAGE_URL, String.class)).resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw new ImageRefusedException("invalid_redirect");
        }
        // the generation's provider's hosts when the planner chose them; this bean's own otherwise
        ImageHostPolicy policy = exchange.getProperty(ArchivePlanner.HOST_POLICY, hostPolicy, ImageHostPolicy.class);
        try {
            policy.check(next.toString());
        } catch (ImageRefusedException refused) {
            throw new ImageRefusedException("redirect_" + refused.getReason());
        }
        exchange.setProperty(IMAGE_REDIRECTS, redirects);
        exchange.setProperty(IMAGE_URL, next.toString());
    }

    private void acceptImage(Exchange exchange, Message message) throws IOException {
        InputStream body = message.getBody(InputStream.class);
        String announcedType = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        if (!ImageContentTypes.isImage(announcedType)) {
            IOHelper.close(body);
            // an HTML page where an image should be: the signed link is no longer valid
            throw new ArchiveFailedException("image_not_an_image");
        }
        long announced = message.getHeader(Exchange.CONTENT_LENGTH, -1L, Long.class);
        if (announced > maxBytes) {
            IOHelper.close(body);
            throw new ImageRefusedException("image_too_large");
        }
        PushbackInputStream peekable = RasterImageType.peekable(body == null ? InputStream.nullInputStream() : body);
        RasterImageType type = verifiedType(peekable, announcedType);
        String generationId = exchange.getProperty(GenerationExchange.GENERATION_ID, String.class);
        int index = exchange.getProperty(IMAGE_INDEX, Integer.class);
        MeteredInputStream metered = new MeteredInputStream(peekable, maxBytes,
                TimeUnit.SECONDS.toNanos(maxSeconds));
        exchange.setProperty(IMAGE_FETCHED, true);
        exchange.setProperty(IMAGE_STREAM, metered);
        exchange.setProperty(IMAGE_CONTENT_TYPE, type.mediaType());
        exchange.setProperty(OBJECT_KEY, objectKeys.imageKey(generationId, index, type.extension()));
        message.removeHeaders("*", ObjectStoreHeaders.KEEP_REDELIVERY_STATE);
        handOn(exchange, message, metered, announced);
        message.setHeader(ObjectStoreHeaders.CONTENT_TYPE, type.mediaType());
    }

    /** The image as the store route's body: the stream itself, or a spooled file when no length came. */
    private void handOn(Exchange exchange, Message message, MeteredInputStream metered, long announced) throws IOException {
        if (announced >= 0) {
            message.setHeader(ObjectStoreHeaders.CONTENT_LENGTH, announced);
            boolean copy = variantSpecs != null && variantSpecs.isEnabled() && !bucket.isBlank();
            message.setBody(copy ? copied(exchange, metered) : metered);
            return;
        }
        // S3 needs the length up front; without one the image goes through a bounded temp
        // file rather than into memory
        Path spooled = spool(metered);
        // the variants decode this file rather than read the stored object back
        spooledImages(exchange).put(exchange.getProperty(IMAGE_INDEX, Integer.class), spooled);
        // gone once the exchange is done, stored or not (a retry spools afresh)
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                deleteQuietly(spooled);
            }
        });
        message.setBody(spooled.toFile());
    }

    /** The stream with a copy to the spool as it is read; the copy goes when the exchange is done. */
    private InputStream copied(Exchange exchange, MeteredInputStream metered) throws IOException {
        Files.createDirectories(spoolDir);
        Path file = Files.createTempFile(spoolDir, SPOOL_PREFIX, SPOOL_SUFFIX);
        CopyingInputStream copying = new CopyingInputStream(metered, file);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                // the S3 producer may not have closed the body (a failed put): the copy's file
                // handle must not outlive the file
                copying.closeCopy();
                deleteQuietly(file);
            }
        });
        spooledImages(exchange).put(exchange.getProperty(IMAGE_INDEX, Integer.class), file);
        return copying;
    }

    @SuppressWarnings("unchecked")
    private static Map<Integer, Path> spooledImages(Exchange exchange) {
        Map<Integer, Path> spooled = exchange.getProperty(GenerationExchange.SPOOLED_IMAGES,
                Map.class);
        if (spooled == null) {
            spooled = new ConcurrentHashMap<>();
            exchange.setProperty(GenerationExchange.SPOOLED_IMAGES, spooled);
        }
        return spooled;
    }

    /**
     * The raster format the body's first bytes prove, whatever the header claims: SVG, HTML or
     * anything else is refused (listed in the manifest), never stored where a browser may run it.
     */
    private static RasterImageType verifiedType(PushbackInputStream body, String announcedType) throws IOException {
        RasterImageType type = null;
        try {
            type = ImageContentTypes.isVector(announcedType) ? null : RasterImageType.sniff(body);
        } finally {
            if (type == null) {
                IOHelper.close(body);
            }
        }
        if (type == null) {
            throw new ImageRefusedException(UNSUPPORTED_IMAGE_TYPE);
        }
        return type;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover temp file is not worth failing an archived generation over
        }
    }

    private Path spool(MeteredInputStream metered) throws IOException {
        Files.createDirectories(spoolDir);
        Path file = Files.createTempFile(spoolDir, SPOOL_PREFIX, SPOOL_SUFFIX);
        try (InputStream in = metered; OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
            in.transferTo(out);
        } catch (MeteredInputStream.ImageTooLargeException e) {
            deleteQuietly(file);
            throw new ImageRefusedException("image_too_large");
        } catch (IOException | RuntimeException e) {
            // a host that stalls or drops the connection mid-image: no half image left behind
            deleteQuietly(file);
            throw e;
        }
        return file;
    }
}
