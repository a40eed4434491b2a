package io.ideogramcamel.archive;

import io.ideogramcamel.testing.S3ProxyServer;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A missing bucket is a readiness state, not a crash; it is created only when asked. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3BucketHealthCheckTest {

    private S3ProxyServer s3;
    private S3Client client;

    @BeforeAll
    void start() throws Exception {
        s3 = S3ProxyServer.start();
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        client = S3ClientFactory.create(s3.endpoint(), "us-east-1");
    }

    @AfterAll
    void stop() {
        client.close();
        s3.close();
    }

    private HealthCheck.State state(S3BucketHealthCheck check) {
        check.setCamelContext(new DefaultCamelContext());
        return check.call().getState();
    }

    private S3BucketHealthCheck check(String bucket, boolean create) {
        S3BucketHealthCheck check = new S3BucketHealthCheck();
        check.setS3Client(client);
        check.setBucket(bucket);
        check.setCreateBucket(create);
        return check;
    }

    @Test
    void aMissingBucketIsReportedDownAndNotCreated() {
        S3BucketHealthCheck check = check("never-created", false);

        check.verifyAtStart();

        assertThat(state(check)).isEqualTo(HealthCheck.State.DOWN);
        assertThatThrownBy(() -> client.headBucket(b -> b.bucket("never-created")))
                .isInstanceOf(NoSuchBucketException.class);
        assertThat(check.isLiveness()).isFalse();
        // every replica shares the bucket: an outage must not empty the Service
        assertThat(check.isReadiness()).isFalse();
        assertThat(check.isUp()).isFalse();
    }

    @Test
    void createBucketTrueCreatesItAtStart() {
        S3BucketHealthCheck check = check("created-on-request", true);

        check.verifyAtStart();

        assertThat(state(check)).isEqualTo(HealthCheck.State.UP);
    }

    @Test
    void withoutABucketImagesGoToTheFolderAndThereIsNothingToCheck() {
        assertThat(state(check("", false))).isEqualTo(HealthCheck.State.UP);
    }

    @Test
    void anUnreachableEndpointIsDownWithoutDetails() {
        S3BucketHealthCheck check = check("any", false);
        check.setS3Client(S3ClientFactory.create("http://127.0.0.1:1", "us-east-1"));
        check.setCamelContext(new DefaultCamelContext());

        var result = check.call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getError()).isEmpty();
        assertThat(result.getMessage()).hasValue("bucket not reachable with the configured endpoint and credentials");
    }
}
