package io.ideogramcamel.archive;

import java.util.Locale;
import java.util.Map;

/** The object key's extension, from the Content-Type the image host sent. */
public final class ImageContentTypes {

    private static final Map<String, String> EXTENSIONS = Map.of(
            "image/png", "png",
            "image/jpeg", "jpg",
            "image/jpg", "jpg",
            "image/webp", "webp",
            "image/gif", "gif",
            "image/avif", "avif",
            "image/heic", "heic");

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
     * @return the extension, or null when the body is not an image (an HTML error page from an
     *         expired link answers 200 with text/html on some CDNs)
     */
    public static String extensionFor(String contentType) {
        String type = mediaType(contentType);
        if (type == null || !type.startsWith("image/")) {
            return null;
        }
        String known = EXTENSIONS.get(type);
        if (known != null) {
            return known;
        }
        // image/x-foo or image/svg+xml: keep the subtype's safe characters only
        String subtype = type.substring("image/".length()).replaceAll("[^a-z0-9]", "");
        return subtype.isEmpty() ? "img" : subtype;
    }
}
