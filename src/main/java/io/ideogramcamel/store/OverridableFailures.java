package io.ideogramcamel.store;

import java.util.List;

/**
 * The failure tokens that say "no news", not "no result": the poller gave up waiting (expired, or
 * Ideogram did not know the id), or an unsigned callback said failed and nothing confirmed it. A
 * generation failed so was billed or may still have images, so a later, verified result takes it
 * (the writer's late-result transition). Named here, at the bottom, because the store's writer and
 * the feature ledgers that write these failures both need them.
 */
public final class OverridableFailures {

    /** The poller waited past the expiry (24 h by default) without an answer. */
    public static final String EXPIRED = "expired";

    /** Ideogram answered 404 for the id: possibly not yet visible there. */
    public static final String UNKNOWN_AT_IDEOGRAM = "unknown_at_ideogram";

    /** Failures unsigned callbacks (ImagineAPI, RunBlob) report: whoever knows the path token can send one. */
    public static final List<String> UNCONFIRMED_BY_PROVIDER = List.of("imagineapi_failed", "runblob_failed");

    private OverridableFailures() {
    }

    /** Every such token, for a SQL {@code IN} list (fixed text, no parameters). */
    public static String sqlList() {
        StringBuilder sql = new StringBuilder("'").append(EXPIRED).append("', '").append(UNKNOWN_AT_IDEOGRAM);
        for (String failure : UNCONFIRMED_BY_PROVIDER) {
            sql.append("', '").append(failure);
        }
        return sql.append("'").toString();
    }
}
