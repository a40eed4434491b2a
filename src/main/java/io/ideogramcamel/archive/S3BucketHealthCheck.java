package io.ideogramcamel.archive;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.OnCamelContextStarting;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health of the target bucket: DOWN while it is missing, unreachable or refuses our credentials,
 * with a fixed message (no SDK text: it can carry account details). A missing bucket is then a
 * clear, visible state rather than a crash loop: the bundle keeps accepting webhooks into the
 * store, and archiving resumes when the bucket answers.
 *
 * <p>Neither readiness nor liveness: readiness means "can accept webhooks", which only the store
 * decides. Every replica shares the one bucket, so an S3 outage in readiness would take all of
 * them out of the Service at once while each could still have accepted into the store. The check
 * is listed under /observe/health, and {@link #isUp()} feeds the ideogram_storage_up gauge.
 */
public class S3BucketHealthCheck extends AbstractHealthCheck implements OnCamelContextStarting {

    private static final Logger LOG = LoggerFactory.getLogger(S3BucketHealthCheck.class);

    private S3Client s3Client;
    private String bucket;
    private boolean createBucket;
    /** The last answer of the bucket; up until a probe says otherwise (no bucket: always up). */
    private volatile boolean up = true;

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

    /*
     * Camel calls this on the one instance its registry holds, as the context starts and before any
     * route does: the YAML DSL's pre-parse builds every bean twice, so an init method ran twice (two
     * pools, two refresh threads, every start-up line printed twice).
     */
    @Override
    public void onContextStarting(CamelContext context) {
        verifyAtStart();
    }

    /**
     * Runs once at start (YAML initMethod): creates the bucket when asked to, and says clearly in
     * the log when the bucket cannot be used. It never throws: the bundle stays up and ready, this
     * check says DOWN, and archiving resumes by itself once the bucket answers.
     */
    public void verifyAtStart() {
        if (!bucketConfigured()) {
            return;
        }
        try {
            s3Client.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
            up = true;
            LOG.info("S3 bucket {} is reachable", bucket);
        } catch (NoSuchBucketException e) {
            up = false;
            if (createBucket) {
                try {
                    s3Client.createBucket(CreateBucketRequest.builder().bucket(bucket).build());
                    up = true;
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
            up = false;
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
    public boolean isReadiness() {
        return false;
    }

    /** The bucket's last known state, as of the latest probe or health call. */
    public boolean isUp() {
        return up;
    }

    /** Asks the bucket now (a HEAD request) and remembers the answer; for the storage-probe timer. */
    public boolean probe() {
        if (!bucketConfigured()) {
            // images go to storage.dir: there is no bucket to be down
            up = true;
            return true;
        }
        try {
            s3Client.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
            up = true;
        } catch (SdkException e) {
            up = false;
        }
        return up;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (probe()) {
            builder.up();
        } else {
            builder.message("bucket not reachable with the configured endpoint and credentials");
            builder.down();
        }
    }
}
