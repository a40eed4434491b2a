package io.ideogramcamel.signature;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which JWKS URLs may be fetched. https always; plain http only with allowHttp, or to a loopback
 * host (127.0.0.0/8, ::1, localhost), where no one between us and the server can swap the keys:
 * that is where local stand-ins and benchmark stubs run. A redirect stays on the configured host
 * and never goes from https to http. Decided on the URL's text alone, without a DNS lookup.
 */
final class JwksUrlPolicy {

    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private final boolean allowHttp;

    JwksUrlPolicy(boolean allowHttp) {
        this.allowHttp = allowHttp;
    }

    /** Null when {@code uri} may be fetched, otherwise why not, in one line. */
    String refusal(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            return "not an absolute http(s) URL";
        }
        if (scheme.equals("http") && !allowHttp && !isLoopback(uri.getHost())) {
            return "plain http to a non-loopback host; use https, or set ideogram.jwks.allow-http=true for a local stand-in";
        }
        return null;
    }

    /** Null when a redirect from {@code from} (first asked for: {@code origin}) to {@code to} may be followed. */
    String redirectRefusal(URI origin, URI from, URI to) {
        if (to.getHost() == null || !to.getHost().equalsIgnoreCase(origin.getHost())) {
            return "to another host";
        }
        if ("https".equalsIgnoreCase(from.getScheme()) && !"https".equalsIgnoreCase(to.getScheme())) {
            return "from https to " + (to.getScheme() == null ? "no scheme" : "another scheme");
        }
        return refusal(to);
    }

    static boolean isLoopback(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.equals("localhost") || IPV4_LOOPBACK.matcher(name).matches()) {
            return true;
        }
        if (name.startsWith("[") && name.endsWith("]")) {
            try {
                // an IPv6 literal: parsed, never looked up
                return InetAddress.getByName(name.substring(1, name.length() - 1)).isLoopbackAddress();
            } catch (UnknownHostException notALiteral) {
                return false;
            }
        }
        return false;
    }
}
