package io.ideogramcamel.provider;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.S3ProxyServer;
import io.ideogramcamel.testing.TcpForwarder;
import org.junit.jupiter.api.AfterAll;

/**
 * A provider's callbacks end to end against real parts: PostgreSQL (127.0.0.1:5432) behind a
 * forwarder the test can take away (the store down), s3proxy as the bucket, and the local stand-in
 * as the provider that signs the callbacks and serves their images on 127.0.0.1.
 */
abstract class ProviderBundleSupport extends BundleTestSupport {

    static final String BUCKET = "providers-test";
    static final String PREFIX = "generations/";
    static final Duration ARCHIVED_WITHIN = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    S3ProxyServer s3;
    LocalIdeogram standIn;
    TcpForwarder database;
    private String schema;

    @Override
    protected String storeJdbcUrl() throws Exception {
        schema = "providers_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        database = new TcpForwarder(5432);
        properties.set("store.username", "postgres");
        return "jdbc:postgresql://127.0.0.1:" + database.port() + "/test?currentSchema=" + schema;
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws Exception {
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        standIn = LocalIdeogram.start();
        properties.set("storage.s3.bucket", BUCKET)
                .set("storage.s3.endpoint", s3.endpoint())
                .set("storage.s3.prefix", PREFIX)
                .set("aws.accessKeyId", "test")
                .set("aws.secretAccessKey", "test")
                // the stand-in serves its images over plain http on 127.0.0.1
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true")
                .set("archive.redrive-interval-millis", "500")
                .set("archive.retry.redelivery-delay-millis", "50")
                .set("archive.retry.max-redelivery-delay-millis", "200")
                .set("archive.retry.initial-delay-seconds", "1")
                .set("archive.retry.max-delay-seconds", "2");
        configureProvider(properties);
    }

    /** The provider's own settings (its secret, its image hosts). */
    abstract void configureProvider(BundleProperties properties) throws Exception;

    @AfterAll
    void stopProviderServers() throws Exception {
        closeQuietly(standIn);
        closeQuietly(s3);
        database.close();
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    HttpResponse<String> post(String path, Map<String, String> headers, byte[] body) {
        return Http.post(baseUrl() + path, headers, body);
    }

    JsonNode manifest(String provider, String id) throws IOException {
        return JSON.readTree(s3.read(BUCKET, PREFIX + provider + "/" + id + "/manifest.json"));
    }

    JsonNode status(String provider, String id) throws IOException {
        HttpResponse<String> answer = Http.get(baseUrl() + "/generations/" + provider + "/" + id);
        if (answer.statusCode() != 200) {
            throw new AssertionError("GET /generations/" + provider + "/" + id + " answered " + answer.statusCode()
                    + " " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** Takes the store away for {@code during}, then gives it back. */
    void withStoreDown(ThrowingRunnable during) throws Exception {
        database.close();
        try {
            during.run();
        } finally {
            database.open();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
