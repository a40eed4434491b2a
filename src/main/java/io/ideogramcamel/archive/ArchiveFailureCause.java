package io.ideogramcamel.archive;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.regex.Pattern;

import io.ideogramcamel.store.StoreUnavailableException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Names an archive failure's dependency and underlying cause in a few words fit for a log line:
 * the deepest cause's message, first line only, with any URL's query (a signature) cut off.
 */
final class ArchiveFailureCause {

    private static final Pattern URL_QUERY = Pattern.compile("(https?://[^\\s?#\"']*)[?#][^\\s\"']*");
    private static final int MAX_LENGTH = 300;

    private ArchiveFailureCause() {
    }

    /** s3, image_host, store or other. */
    static String target(Throwable e) {
        if (find(e, SdkException.class) != null) {
            return "s3";
        }
        if (find(e, StoreUnavailableException.class) != null) {
            return "store";
        }
        if (e instanceof ImageFetchRetryableException || e instanceof java.io.IOException) {
            return "image_host";
        }
        return "other";
    }

    /** For example "Connection refused (ConnectException)" or "403 AccessDenied (S3Exception)". */
    static String describe(Throwable e) {
        if (e == null) {
            return "unknown";
        }
        AwsServiceException service = find(e, AwsServiceException.class);
        if (service != null) {
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            return service.statusCode() + (code == null ? "" : " " + code) + " (" + service.getClass().getSimpleName() + ")";
        }
        Throwable root = root(e);
        String message = root.getMessage();
        if (root instanceof ConnectException && message != null && message.contains("Connection refused")) {
            message = "Connection refused";
        } else if (root instanceof SocketTimeoutException) {
            message = "timeout: " + message;
        }
        return clean(message) + " (" + root.getClass().getSimpleName() + ")";
    }

    private static String clean(String message) {
        if (message == null || message.isBlank()) {
            return "no message";
        }
        String line = message.strip().lines().findFirst().orElse("");
        line = URL_QUERY.matcher(line).replaceAll("$1");
        return line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "..." : line;
    }

    private static Throwable root(Throwable e) {
        Throwable t = e;
        for (int i = 0; i < 20 && t.getCause() != null && t.getCause() != t; i++) {
            t = t.getCause();
        }
        return t;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        Throwable t = e;
        for (int i = 0; i < 20 && t != null; i++) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            t = t.getCause();
        }
        return null;
    }
}
