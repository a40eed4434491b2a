package io.ideogramcamel.archive;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.logging.RateLimitedLog;
import org.apache.camel.Exchange;
import org.slf4j.LoggerFactory;

/**
 * The one line an archive failure leaves: which dependency (S3 with its endpoint, the image host,
 * the store) and the underlying cause (connection refused, 403, timeout), never credentials or a
 * signed URL. While a dependency stays down, identical lines are rate-limited.
 */
public class ArchiveFailureLog {

    private String s3Endpoint = "";
    private String s3Region = "us-east-1";
    private long repeatIntervalSeconds = 60;
    private volatile RateLimitedLog lines;

    public void setS3Endpoint(String s3Endpoint) {
        this.s3Endpoint = s3Endpoint == null ? "" : s3Endpoint.trim();
    }

    public void setS3Region(String s3Region) {
        this.s3Region = s3Region == null || s3Region.isBlank() ? "us-east-1" : s3Region.trim();
    }

    public void setRepeatIntervalSeconds(long repeatIntervalSeconds) {
        this.repeatIntervalSeconds = repeatIntervalSeconds;
    }

    /** Redeliveries are spent and the generation goes back to the re-drive timer. */
    public void deferred(Exchange exchange) {
        String where = where(caught(exchange));
        String cause = ArchiveFailureCause.describe(caught(exchange));
        lines().warn("deferred " + where + " " + cause, "archive deferred generation_id="
                + exchange.getProperty(GenerationExchange.GENERATION_ID, String.class) + " " + where + " cause=" + cause);
    }

    /** A failure no rule foresaw; the generation is retried later all the same. */
    public void unforeseen(Exchange exchange) {
        String where = where(caught(exchange));
        String cause = ArchiveFailureCause.describe(caught(exchange));
        lines().error("error " + where + " " + cause, "archive error generation_id="
                + exchange.getProperty(GenerationExchange.GENERATION_ID, String.class) + " " + where + " cause=" + cause);
    }

    private String where(Throwable e) {
        String target = ArchiveFailureCause.target(e);
        if (!"s3".equals(target)) {
            return "target=" + target;
        }
        return "target=s3 endpoint=" + (s3Endpoint.isEmpty() ? "https://s3." + s3Region + ".amazonaws.com" : s3Endpoint);
    }

    private static Throwable caught(Exchange exchange) {
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    private RateLimitedLog lines() {
        RateLimitedLog l = lines;
        if (l == null) {
            l = new RateLimitedLog(LoggerFactory.getLogger("io.ideogramcamel.archive"), repeatIntervalSeconds);
            lines = l;
        }
        return l;
    }
}
