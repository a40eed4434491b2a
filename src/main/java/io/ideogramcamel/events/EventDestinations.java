package io.ideogramcamel.events;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.util.URISupport;

/**
 * The global destinations every event goes to: the Camel endpoint URIs of
 * {@code events.destinations} and the signed webhook URLs of {@code events.webhook-urls}. A delivery
 * row names its destination without secrets (a URI's password or a URL's query would otherwise sit
 * in the store and in {@code GET /events}); the sender maps that name back to the target configured
 * now, so a rotated credential applies to pending deliveries too.
 */
public final class EventDestinations {

    /** The name of the delivery to the generation's own callback URL (kept with its submission). */
    public static final String CALLBACK_URL = "callback_url";

    public enum Kind { ENDPOINT, CALLBACK }

    /** A destination: its display-safe name, its kind, and the target to send to (secret-bearing). */
    public record Destination(String name, Kind kind, String target) {
    }

    private volatile Map<String, Destination> global = Map.of();
    private String endpoints = "";
    private String webhookUrls = "";

    /** Comma-separated Camel endpoint URIs; blank: none. */
    public synchronized void setDestinations(String csv) {
        this.endpoints = csv == null ? "" : csv;
        rebuild();
    }

    /** Comma-separated http(s) URLs that get every event as a signed callback; blank: none. */
    public synchronized void setWebhookUrls(String csv) {
        this.webhookUrls = csv == null ? "" : csv;
        rebuild();
    }

    private void rebuild() {
        Map<String, Destination> all = new LinkedHashMap<>();
        for (String uri : split(endpoints)) {
            all.putIfAbsent(endpointName(uri), new Destination(endpointName(uri), Kind.ENDPOINT, uri));
        }
        for (String url : split(webhookUrls)) {
            all.putIfAbsent(webhookName(url), new Destination(webhookName(url), Kind.CALLBACK, url));
        }
        global = Collections.unmodifiableMap(all);
    }

    /** Every global destination, in the order configured. */
    public List<Destination> global() {
        return new ArrayList<>(global.values());
    }

    /** The target a delivery row's name stands for now; empty when it is no longer configured. */
    public Optional<Destination> find(String name) {
        return Optional.ofNullable(global.get(name));
    }

    /** Camel's own masking of passwords and keys in endpoint URIs. */
    static String endpointName(String uri) {
        return URISupport.sanitizeUri(uri);
    }

    /** scheme://host[:port]/path: user info and query (where tokens tend to live) left out. */
    static String webhookName(String url) {
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            // the URL itself is not repeated: it may hold a token
            throw new IllegalArgumentException("events.webhook-urls holds an entry that is not a URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (u.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("events.webhook-urls takes http(s) URLs with a host only");
        }
        String port = u.getPort() < 0 ? "" : ":" + u.getPort();
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + port + path;
    }

    private static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        for (String part : csv.split(",")) {
            String p = part.strip();
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }
}
