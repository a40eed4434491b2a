package io.ideogramcamel.archive;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness of the target bucket: DOWN while it is missing, unreachable or refuses our
 * credentials, with a fixed message (no SDK text: it can carry account details). A missing bucket
 * is then a clear, visible state rather than a crash loop: the bundle keeps accepting webhooks
 * into the store, and archiving resumes when the bucket answers.
 */
public class S3BucketHealthCheck extends AbstractHealthCheck {

    private static final Logger LOG = LoggerFactory.getLogger(S3BucketHealthCheck.class);

    private S3Client s3Client;
    private String bucket;
    private boolean createBucket;

    public S3BucketHealthCheck() {
        super("ideogram", "s3-bucket");
    }

    public void setS3Client(S3Client s3Client) {
        this.s3Client = s3Client;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    /** Only with storage.s3.create-bucket=true: the bundle never creates a bucket on its own. */
    public void setCreateBucket(boolean createBucket) {
        this.createBucket = createBucket;
    }

    /**
     * Runs once at start (YAML initMethod): creates the bucket when asked to, and says clearly in
     * the log when the bucket cannot be used. It never throws: the bundle stays up, readiness says
     * DOWN, and archiving resumes by itself once the bucket answers.
     */
    public void verifyAtStart() {
        if (!bucketConfigured()) {
            return;
        }
        try {
            s3Client.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
            LOG.info("S3 bucket {} is reachable", bucket);
        } catch (NoSuchBucketException e) {
            if (createBucket) {
                try {
                    s3Client.createBucket(CreateBucketRequest.builder().bucket(bucket).build());
                    LOG.info("S3 bucket {} created (storage.s3.create-bucket=true)", bucket);
                } catch (SdkException createFailed) {
                    LOG.error("S3 bucket {} does not exist and could not be created ({}): images stay queued until it can",
                            bucket, createFailed.getClass().getSimpleName());
                }
            } else {
                LOG.error("S3 bucket {} does not exist: create it or set storage.s3.create-bucket=true; "
                        + "generations stay received until it exists", bucket);
            }
        } catch (SdkException e) {
            LOG.error("S3 bucket {} is not usable ({}, HTTP {}): check storage.s3.endpoint and the AWS credentials; "
                    + "generations stay received until it is", bucket, e.getClass().getSimpleName(), statusOf(e));
        }
    }

    private boolean bucketConfigured() {
        return bucket != null && !bucket.isBlank();
    }

    private static String statusOf(SdkException e) {
        return e instanceof S3Exception s3 ? Integer.toString(s3.statusCode()) : "none";
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (!bucketConfigured()) {
            // images go to storage.dir: there is no bucket to be ready
            builder.up();
            return;
        }
        try {
            s3Client.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
            builder.up();
        } catch (SdkException e) {
            builder.message("bucket not reachable with the configured endpoint and credentials");
            builder.down();
        }
    }
}
