package io.ideogramcamel.submit;

import io.ideogramcamel.events.CallbackHostPolicy;

/**
 * Which {@code callback_url} a caller of POST /generations may attach: at most 2,048 characters and
 * what {@link CallbackHostPolicy#acceptsShape} allows (the sender's own rules: http(s), a host, no
 * user info, {@code events.callback-hosts}, no local address literal), so a URL taken here is never
 * one the sender refuses for its shape. None at all while {@code events.signing-secret} is empty: the
 * callback would go out unsigned, and its receiver could not tell it from a forgery. The addresses a
 * name resolves to are checked when each callback is sent.
 */
public class CallbackUrlRule {

    static final int MAX_LENGTH = 2048;

    private final CallbackHostPolicy policy = new CallbackHostPolicy();
    private boolean signed;

    public void setAllowHttp(boolean allowHttp) {
        policy.setAllowHttp(allowHttp);
    }

    public void setAllowPrivateHosts(boolean allowPrivateHosts) {
        policy.setAllowPrivateHosts(allowPrivateHosts);
    }

    /** Comma-separated hosts or {@code *.domain}; blank: any host. */
    public void setCallbackHosts(String callbackHosts) {
        policy.setAllowedHosts(callbackHosts);
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
        return url != null && !url.isBlank() && url.length() <= MAX_LENGTH && policy.acceptsShape(url);
    }
}
