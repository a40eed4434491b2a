package io.ideogramcamel.submit;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import io.ideogramcamel.archive.ImageHostPolicy;

/**
 * Which {@code callback_url} a caller of POST /generations may attach: an absolute http(s) URL with
 * a host and no user info, https unless {@code events.callback.allow-http}, at most 2,048
 * characters, its host in {@code events.callback-hosts} when that is set (the same matching as
 * {@code ideogram.image-hosts}: a host, or {@code *.domain}). None at all while
 * {@code events.signing-secret} is empty: the callback would go out unsigned, and its receiver could
 * not tell it from a forgery. Addresses are checked again when a callback is sent (private hosts).
 */
public class CallbackUrlRule {

    static final int MAX_LENGTH = 2048;

    private final ImageHostPolicy hosts = new ImageHostPolicy();
    private boolean anyHost = true;
    private boolean allowHttp;
    private boolean signed;

    public void setAllowHttp(boolean allowHttp) {
        this.allowHttp = allowHttp;
    }

    /** Comma-separated hosts or {@code *.domain}; blank: any host. */
    public void setCallbackHosts(String callbackHosts) {
        String list = callbackHosts == null ? "" : callbackHosts;
        hosts.setAllowedHosts(list);
        anyHost = list.isBlank();
    }

    /** Only whether there is one is kept: callbacks are signed elsewhere. */
    public void setSigningSecret(String signingSecret) {
        this.signed = signingSecret != null && !signingSecret.isBlank();
    }

    /** Whether callbacks can be taken at all (a signing secret is set). */
    public boolean isEnabled() {
        return signed;
    }

    public boolean accepts(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_LENGTH) {
            return false;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return false;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            return false;
        }
        // user info would put a credential in the store and the status API, or hide the real host
        if (uri.getRawUserInfo() != null || uri.getHost() == null || uri.getHost().isEmpty()) {
            return false;
        }
        return anyHost || hosts.allowsHost(uri.getHost());
    }
}
