package io.ideogramcamel.archive;

import org.apache.camel.Exchange;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Whether the object an exchange names is in the bucket already: one HEAD. Asked only by a re-run
 * that may find its manifest stored (the attempt before died between the put and ARCHIVED), so the
 * manifest is not put twice. Any answer but "there" or "not there" fails the attempt like a failed
 * put, and it is retried the same way.
 */
public class S3ObjectPresence {

    private S3Client s3Client;
    private String bucket;

    public void setS3Client(S3Client s3Client) {
        this.s3Client = s3Client;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    public boolean isStored(Exchange exchange) {
        String key = exchange.getProperty(ImageResponseHandler.OBJECT_KEY, String.class);
        try {
            s3Client.headObject(request -> request.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException absent) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
