package io.ideogramcamel.events;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;

/**
 * Where a caller's own {@code callback_url} may be sent, checked when it is sent (DNS may have
 * changed since the request): https unless {@code events.callback.allow-http}; a host listed in
 * {@code events.callback-hosts} when that is set (exact names or {@code *.suffix}); and never a host
 * resolving to a loopback, private, link-local (cloud metadata) or otherwise local address unless
 * {@code events.callback.allow-private-hosts}, so a caller cannot make the bundle post into its own
 * network. The operator's own events.webhook-urls are trusted and not checked.
 *
 * <p>The one place these rules live: POST /generations asks {@link #acceptsShape} of a new
 * callback_url (no DNS lookup on the request path, but an address literal is judged at once), the
 * sender asks {@link #refusalOf} of every attempt.
 */
public class CallbackHostPolicy {

    private boolean allowHttp;
    private boolean allowPrivateHosts;
    private final List<String> exactHosts = new ArrayList<>();
    private final List<String> suffixes = new ArrayList<>();

    public void setAllowHttp(boolean allowHttp) {
        this.allowHttp = allowHttp;
    }

    public void setAllowPrivateHosts(boolean allowPrivateHosts) {
        this.allowPrivateHosts = allowPrivateHosts;
    }

    /** Comma-separated host names or {@code *.suffix}; blank: any host. */
    public void setAllowedHosts(String allowedHosts) {
        exactHosts.clear();
        suffixes.clear();
        for (String entry : (allowedHosts == null ? "" : allowedHosts).split(",")) {
            String host = entry.strip().toLowerCase(Locale.ROOT);
            if (host.startsWith("*.")) {
                suffixes.add(host.substring(1));
            } else if (!host.isEmpty()) {
                exactHosts.add(host);
            }
        }
    }

    /** For the route: the refusal token of this attempt's target, or null to send. */
    public String refusal(Exchange exchange) {
        DeliveryClaim claim = exchange.getProperty(GenerationExchange.EVENT_CLAIM, DeliveryClaim.class);
        if (claim == null || !claim.isOwnCallback()) {
            return null;
        }
        return refusalOf(exchange.getProperty(GenerationExchange.EVENT_TARGET, String.class));
    }

    /** Null when the URL may be called; else {@code callback_host_refused}. */
    public String refusalOf(String url) {
        return allows(url) ? null : "callback_host_refused";
    }

    boolean allows(String url) {
        String host = hostOfAcceptable(url);
        return host != null && (allowPrivateHosts || resolvesToPublicOnly(host));
    }

    /**
     * Whether a callback URL may be taken at all, without a DNS lookup: https (or allowed http),
     * a host and no user info (a credential there would sit in the store and the status API, or hide
     * the real host), a host in the list when there is one, and no local address literal (or
     * {@code localhost}) unless private hosts are allowed.
     */
    public boolean acceptsShape(String url) {
        return hostOfAcceptable(url) != null;
    }

    private String hostOfAcceptable(String url) {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            return null;
        }
        if (uri.getHost() == null || uri.getHost().isEmpty() || uri.getRawUserInfo() != null) {
            return null;
        }
        String host = bare(uri.getHost());
        if (!isListed(host) || (!allowPrivateHosts && isLocalLiteral(host))) {
            return null;
        }
        return host;
    }

    /* An address literal resolves to itself without asking DNS; "localhost" is always local. */
    private static boolean isLocalLiteral(String host) {
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return true;
        }
        boolean literal = host.contains(":") || host.matches("[0-9.]+");
        try {
            return literal && isLocal(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return true;
        }
    }

    private boolean isListed(String host) {
        if (exactHosts.isEmpty() && suffixes.isEmpty()) {
            return true;
        }
        if (exactHosts.contains(host)) {
            return true;
        }
        // "*.example.com" covers "a.example.com", not "example.com" nor "badexample.com"
        return suffixes.stream().anyMatch(s -> host.length() > s.length() && host.endsWith(s));
    }

    /* Every address the name has must be public: one private answer is enough to refuse. */
    private static boolean resolvesToPublicOnly(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
        for (InetAddress a : addresses) {
            if (isLocal(a)) {
                return false;
            }
        }
        return addresses.length > 0;
    }

    static boolean isLocal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            // 0/8 "this network", 100.64/10 carrier-grade NAT, 198.18/15 benchmarking
            return first == 0 || (first == 100 && second >= 64 && second < 128) || (first == 198 && (second & 0xfe) == 18);
        }
        // fc00::/7 unique local (fd00:ec2::254 is the AWS metadata service over IPv6)
        return (b[0] & 0xfe) == 0xfc;
    }

    private static String bare(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
