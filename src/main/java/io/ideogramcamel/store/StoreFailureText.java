package io.ideogramcamel.store;

import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * What a store WARN line may say about a failure: the JDBC URL without credentials and the
 * driver's reason (SQLState and the first line of its message).
 */
final class StoreFailureText {

    /* userinfo in jdbc:postgresql://user:secret@host/db (any scheme with an authority) */
    private static final Pattern USERINFO = Pattern.compile("(//)[^/@?;\\s]*@");
    /* ?user=..&password=.. (pgjdbc), ;USER=..;PASSWORD=.. (H2), and their kin, any case */
    private static final Pattern CREDENTIAL_PARAM = Pattern.compile(
            "(?i)([?&;])(user|username|password|passwd|pwd|sslpassword|sslkey|secret|token)=[^&;]*");
    private static final int MAX_LENGTH = 300;

    private StoreFailureText() {
    }

    /** The URL as it may appear in a log line: no userinfo, no user or password parameter. */
    static String redactUrl(String jdbcUrl) {
        if (jdbcUrl == null) {
            return "";
        }
        String url = USERINFO.matcher(jdbcUrl).replaceAll("$1");
        String previous;
        do {
            previous = url;
            url = CREDENTIAL_PARAM.matcher(url).replaceFirst("$1");
        } while (!url.equals(previous));
        // tidy what the removals left: "?&", "&&", ";;", a trailing "?" or "&"
        return url.replaceAll("\\?&+", "?").replaceAll("&{2,}", "&").replaceAll(";{2,}", ";")
                .replaceAll("[?&;]+$", "");
    }

    /**
     * The driver's own reason: the deepest SQLException in the chain (a pool wraps the driver's),
     * as "SQLState 08001: first line of its message", or the exception's own first line.
     */
    static String reason(Throwable e) {
        if (e == null) {
            return "unknown";
        }
        SQLException deepest = null;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                deepest = sql;
            }
        }
        if (deepest == null) {
            return e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
        }
        String state = deepest.getSQLState();
        return (state == null ? "" : "SQLState " + state + ": ") + firstLine(deepest.getMessage());
    }

    /** Whether the database could not be reached or refused the login (SQLState class 08 or 28). */
    static boolean isConnectionFailure(Throwable e) {
        return connectionFailure(e) != null;
    }

    /**
     * The deepest SQLException in the chain if the chain says the database could not be reached or
     * refused the login (a pool's connection timeout, SQLState class 08 or 28); null otherwise.
     */
    static SQLException connectionFailure(Throwable e) {
        boolean connection = false;
        SQLException deepest = null;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                deepest = sql;
                String state = sql.getSQLState();
                connection |= t instanceof java.sql.SQLTransientConnectionException
                        || state != null && (state.startsWith("08") || state.startsWith("28"));
            }
        }
        return connection ? deepest : null;
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "no message";
        }
        String line = message.strip().lines().findFirst().orElse("");
        return line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "..." : line;
    }
}
