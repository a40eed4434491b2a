package io.ideogramcamel.archive;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The only hosts images are fetched from. Entries are exact host names or {@code *.suffix};
 * matching is case-insensitive on the URL's host as written, with no DNS lookup, so an IP literal
 * is fetched only when that literal is listed. Checked before every request, redirects included.
 */
public class ImageHostPolicy {

    private final List<String> exactHosts = new ArrayList<>();
    private boolean allowHttp;
    private final List<String> suffixes = new ArrayList<>();

    /** Comma-separated, e.g. {@code ideogram.ai,*.ideogram.ai}. */
    public void setAllowedHosts(String allowedHosts) {
        exactHosts.clear();
        suffixes.clear();
        for (String entry : allowedHosts.split(",")) {
            String host = entry.trim().toLowerCase(Locale.ROOT);
            if (host.isEmpty()) {
                continue;
            }
            if (host.startsWith("*.")) {
                suffixes.add(host.substring(1));
            } else {
                exactHosts.add(host);
            }
        }
    }

    /**
     * Off by default: result links carry their signature in the query string, which must not
     * travel in clear text (nor may an https link be redirected to http). For local stand-ins.
     */
    public void setAllowHttp(boolean allowHttp) {
        this.allowHttp = allowHttp;
    }

    /**
     * Returns the URL as a URI when it may be fetched; otherwise throws with the reason.
     *
     * @throws ImageRefusedException {@code invalid_url}, {@code unsupported_scheme} or {@code host_not_allowed}
     */
    public URI check(String url) {
        if (url == null || url.isBlank()) {
            throw new ImageRefusedException("no_url");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ImageRefusedException("invalid_url");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw new ImageRefusedException("unsupported_scheme");
        }
        // userinfo could smuggle credentials or confuse a reader about the real host
        if (uri.getRawUserInfo() != null || uri.getHost() == null) {
            throw new ImageRefusedException("invalid_url");
        }
        if (!allowsHost(uri.getHost())) {
            throw new ImageRefusedException("host_not_allowed");
        }
        return uri;
    }

    public boolean allowsHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (exactHosts.contains(h)) {
            return true;
        }
        for (String suffix : suffixes) {
            // "*.ideogram.ai" covers "cdn.ideogram.ai", not "ideogram.ai" nor "evilideogram.ai"
            if (h.length() > suffix.length() && h.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }
}
