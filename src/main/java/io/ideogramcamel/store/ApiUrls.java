package io.ideogramcamel.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** The form of an Ideogram API URL the store remembers and compares. */
public final class ApiUrls {

    private ApiUrls() {
    }

    /**
     * {@code scheme://host:port/path}: scheme and host in lower case, the default port written out,
     * trailing slashes dropped; userinfo, query and fragment left out, so the result is safe to log
     * and two spellings of one endpoint compare equal.
     *
     * @throws IllegalArgumentException if the text is not an absolute http(s) URL with a host
     */
    public static String normalise(String url) {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("ideogram.api-url is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("ideogram.api-url must be an http(s) URL with a host");
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port + path;
    }
}
