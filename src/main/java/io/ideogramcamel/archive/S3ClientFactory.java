package io.ideogramcamel.archive;

import java.net.URI;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the S3 client from the bundle's settings. Java rather than endpoint options because one
 * setting, an empty {@code storage.s3.endpoint}, has to mean "AWS itself": camel-aws2-s3 would need
 * a second, boolean setting for that. Credentials come from the AWS SDK's default chain.
 *
 * <p>The SDK's own retries are off: a put streams the image once and cannot rewind it, so the SDK's
 * second attempt failed with "Content input stream does not support mark/reset" (an
 * IllegalStateException hiding the real cause). Camel's redelivery in archive-errors is the only
 * retry, and the failure that reaches it is the SDK's own (connection refused, 403, 503 SlowDown).
 */
public final class S3ClientFactory {

    private S3ClientFactory() {
    }

    /** For a YAML bean with {@code factoryMethod: create}. */
    public static S3Client create(String endpoint, String region) {
        var builder = S3Client.builder()
                .region(Region.of(region == null || region.isBlank() ? "us-east-1" : region.trim()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (endpoint != null && !endpoint.isBlank()) {
            // S3-compatible servers (MinIO, Ceph, R2, s3proxy) want path-style addressing
            builder.endpointOverride(URI.create(endpoint.trim())).forcePathStyle(true);
        }
        return builder.build();
    }
}
