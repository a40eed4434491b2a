package io.ideogramcamel.archive;

import java.util.Locale;

/**
 * Reads the Content-Type the image host sent. It only tells a dead link (an HTML error page) from
 * an image; what is stored, and under which type, is decided by {@link RasterImageType} from the
 * bytes themselves.
 */
public final class ImageContentTypes {

    /** Image types that are not rasters: never stored, whatever their bytes look like. */
    private static final String SVG = "image/svg+xml";

    private ImageContentTypes() {
    }

    /** The bare media type, lower case, without parameters; null when absent. */
    public static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
        return type.isEmpty() ? null : type;
    }

    /**
     * @return false when the body is not an image at all (an HTML error page from an expired link
     *         answers 200 with text/html on some CDNs)
     */
    public static boolean isImage(String contentType) {
        String type = mediaType(contentType);
        return type != null && type.startsWith("image/");
    }

    /** An image type announced as vector (script-capable) rather than raster. */
    public static boolean isVector(String contentType) {
        return SVG.equals(mediaType(contentType));
    }
}
