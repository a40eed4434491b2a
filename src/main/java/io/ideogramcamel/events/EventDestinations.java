package io.ideogramcamel.events;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.apache.camel.util.URISupport;

/**
 * The global destinations every event goes to: the Camel endpoint URIs of
 * {@code events.destinations} and the signed webhook URLs of {@code events.webhook-urls}. A delivery
 * row names its destination without secrets (a URI's password or a URL's query would otherwise sit
 * in the store, in {@code GET /events}, in logs and in the metrics' tags); the sender maps that name
 * back to the target configured now, so a rotated password applies to pending deliveries too.
 *
 * <p>A name shows what is safe to show (an endpoint URI up to its options, a URL's scheme, host and
 * port) and, when more was configured, a short hash of the rest (Camel's masked form of the options,
 * a URL's path and query: Slack, Teams and Zapier put their tokens in the path). Two entries with
 * one name are refused, so no destination silently goes without events.
 */
public final class EventDestinations {

    /** The name of the delivery to the generation's own callback URL (kept with its submission). */
    public static final String CALLBACK_URL = "callback_url";

    /*
     * A comma starts the next URI only when a scheme follows it ("log:", "amqp:"), so commas inside
     * one URI stay: kafka:t?brokers=h1:9092,h2:9092 (a digit after the colon is a port) and
     * sql:INSERT ... VALUES (:#a, :#b).
     */
    private static final Pattern NEXT_URI = Pattern.compile(",\\s*(?=[A-Za-z][A-Za-z0-9+.-]*:(?![0-9]))");

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
            add(all, new Destination(endpointName(uri), Kind.ENDPOINT, uri));
        }
        for (String url : split(webhookUrls)) {
            add(all, new Destination(webhookName(url), Kind.CALLBACK, url));
        }
        global = Collections.unmodifiableMap(all);
    }

    private static void add(Map<String, Destination> all, Destination d) {
        if (all.putIfAbsent(d.name(), d) != null) {
            throw new IllegalArgumentException("events.destinations and events.webhook-urls list the destination "
                    + d.name() + " twice");
        }
    }

    /** Every global destination, in the order configured. */
    public List<Destination> global() {
        return new ArrayList<>(global.values());
    }

    /** The target a delivery row's name stands for now; empty when it is no longer configured. */
    public Optional<Destination> find(String name) {
        return Optional.ofNullable(global.get(name));
    }

    /**
     * The URI up to its options; with options, a hash of Camel's masked form of the whole URI (a
     * password Camel knows is masked before hashing, so rotating it keeps the name).
     */
    static String endpointName(String uri) {
        int options = uri.indexOf('?');
        return options < 0 ? uri : uri.substring(0, options) + "#" + shortHash(URISupport.sanitizeUri(uri));
    }

    /** scheme://host[:port] and a hash of the whole URL: its path and query may be the credential. */
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
        return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + port + "#" + shortHash(url);
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        for (String part : NEXT_URI.split(csv)) {
            String p = part.strip();
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }
}
