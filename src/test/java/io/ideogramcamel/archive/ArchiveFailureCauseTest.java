package io.ideogramcamel.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

import io.ideogramcamel.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class ArchiveFailureCauseTest {

    @Test
    void s3AnswersAreNamedByStatusAndErrorCode() {
        S3Exception denied = (S3Exception) S3Exception.builder().statusCode(403)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").build()).build();
        S3Exception slowDown = (S3Exception) S3Exception.builder().statusCode(503)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("SlowDown").build()).build();

        assertThat(ArchiveFailureCause.target(denied)).isEqualTo("s3");
        assertThat(ArchiveFailureCause.describe(denied)).isEqualTo("403 AccessDenied (S3Exception)");
        assertThat(ArchiveFailureCause.describe(slowDown)).isEqualTo("503 SlowDown (S3Exception)");
    }

    @Test
    void clientFailuresAreNamedByTheirRootCause() {
        SdkClientException refused = SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connect to 127.0.0.1:9 failed: Connection refused"));
        SdkClientException timeout = SdkClientException.create("Unable to execute HTTP request",
                new SocketTimeoutException("Read timed out"));

        assertThat(ArchiveFailureCause.target(refused)).isEqualTo("s3");
        assertThat(ArchiveFailureCause.describe(refused)).isEqualTo("Connection refused (ConnectException)");
        assertThat(ArchiveFailureCause.describe(timeout)).isEqualTo("timeout: Read timed out (SocketTimeoutException)");
    }

    @Test
    void aSignedUrlLosesItsQueryAndOnlyTheFirstLineIsKept() {
        IOException e = new IOException("GET https://img.example/a.png?X-Amz-Signature=abc&exp=1 failed\nsecond line");

        assertThat(ArchiveFailureCause.target(e)).isEqualTo("image_host");
        assertThat(ArchiveFailureCause.describe(e)).isEqualTo("GET https://img.example/a.png failed (IOException)");
        assertThat(ArchiveFailureCause.target(new StoreUnavailableException("x"))).isEqualTo("store");
    }
}
