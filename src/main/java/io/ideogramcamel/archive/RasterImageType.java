package io.ideogramcamel.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;

/**
 * The only image formats archived, recognised by their leading bytes ("magic"), never by the
 * Content-Type the host sent: an SVG or HTML body served as image/png would otherwise be stored,
 * and served from the bucket, as script-capable content (stored XSS). The stored content type and
 * extension come from here.
 */
public enum RasterImageType {
    PNG("image/png", "png"),
    JPEG("image/jpeg", "jpg"),
    GIF("image/gif", "gif"),
    WEBP("image/webp", "webp");

    /** Bytes needed to tell the formats apart (WebP: "RIFF", 4 length bytes, "WEBP"). */
    static final int SNIFF_BYTES = 12;

    private static final byte[] PNG_MAGIC = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    private static final byte[] JPEG_MAGIC = { (byte) 0xFF, (byte) 0xD8, (byte) 0xFF };
    private static final byte[] GIF87 = { 'G', 'I', 'F', '8', '7', 'a' };
    private static final byte[] GIF89 = { 'G', 'I', 'F', '8', '9', 'a' };
    private static final byte[] RIFF = { 'R', 'I', 'F', 'F' };
    private static final byte[] WEBP_TAG = { 'W', 'E', 'B', 'P' };

    private final String mediaType;
    private final String extension;

    RasterImageType(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return extension;
    }

    /** The format the first {@code length} bytes of {@code head} announce; null when none of ours. */
    public static RasterImageType of(byte[] head, int length) {
        if (startsWith(head, length, 0, PNG_MAGIC)) {
            return PNG;
        }
        if (startsWith(head, length, 0, JPEG_MAGIC)) {
            return JPEG;
        }
        if (startsWith(head, length, 0, GIF87) || startsWith(head, length, 0, GIF89)) {
            return GIF;
        }
        if (startsWith(head, length, 0, RIFF) && startsWith(head, length, 8, WEBP_TAG)) {
            return WEBP;
        }
        return null;
    }

    /**
     * Reads the first bytes of {@code in} and pushes them back, so the whole image still streams
     * through afterwards; at most {@link #SNIFF_BYTES} are ever held.
     *
     * @param in must have been built with a pushback buffer of at least {@link #SNIFF_BYTES}
     * @return the format, or null when the body is not one of ours
     */
    public static RasterImageType sniff(PushbackInputStream in) throws IOException {
        byte[] head = new byte[SNIFF_BYTES];
        int length = 0;
        // bounded: at most SNIFF_BYTES iterations that each read at least one byte, or end of stream
        while (length < SNIFF_BYTES) {
            int n = in.read(head, length, SNIFF_BYTES - length);
            if (n < 0) {
                break;
            }
            length += n;
        }
        in.unread(head, 0, length);
        return of(head, length);
    }

    /** Wraps {@code in} so that {@link #sniff(PushbackInputStream)} can peek at it. */
    public static PushbackInputStream peekable(InputStream in) {
        return new PushbackInputStream(in, SNIFF_BYTES);
    }

    private static boolean startsWith(byte[] head, int length, int offset, byte[] magic) {
        if (length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[offset + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
