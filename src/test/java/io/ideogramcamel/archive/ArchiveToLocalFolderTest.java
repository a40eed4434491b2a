package io.ideogramcamel.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static io.ideogramcamel.testing.IdeogramStandIn.image;
import static org.assertj.core.api.Assertions.assertThat;

/** The embedded default: no bucket, so the same layout is written under storage.dir. */
class ArchiveToLocalFolderTest extends BundleTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 1024 * 1024;

    private ImageHost images;
    private Path folder;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-local-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        images = ImageHost.start("127.0.0.1");
        folder = Files.createTempDirectory("ideogram-folder-");
        properties.set("storage.dir", folder.toString())
                .set("ideogram.image-hosts", "127.0.0.1")
                // the loopback image hosts speak plain http
                .set("ideogram.image.allow-http", "true")
                .set("ideogram.image.max-bytes", Long.toString(MAX_BYTES))
                .set("archive.redrive-interval-millis", "500");
    }

    @AfterAll
    void stopImageHost() throws IOException {
        closeQuietly(images);
    }

    @Test
    void imagesAndManifestAppearUnderStorageDirWithNoTemporaryFilesLeft() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[] first = ArchiveToS3Test.png(1);
        byte[] second = ArchiveToS3Test.jpeg(2);
        images.png("/" + id + "/0", first).image("/" + id + "/1", second, "image/jpeg");
        byte[] body = IdeogramStandIn.deliveryBody(id,
                image(images.url("/" + id + "/0"), true, 1), image(images.url("/" + id + "/1"), true, 2));

        assertThat(deliver(ideogram.sign(id, body), body).statusCode()).isEqualTo(200);
        awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(30));

        Path generation = folder.resolve("generations").resolve(id);
        assertThat(Files.readAllBytes(generation.resolve("0.png"))).isEqualTo(first);
        assertThat(Files.readAllBytes(generation.resolve("1.jpg"))).isEqualTo(second);
        JsonNode manifest = JSON.readTree(generation.resolve("manifest.json").toFile());
        assertThat(manifest.get("images").get(1).get("sha256").asText()).isEqualTo(ArchiveToS3Test.sha256(second));
        try (Stream<Path> files = Files.list(generation)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(List.of("0.png", "1.jpg", "manifest.json"));
        }
        try (Stream<Path> temporary = Files.list(folder.resolve(LocalObjectWriter.TEMP_DIR))) {
            assertThat(temporary).isEmpty();
        }
        // written by the bean that flushes the folder after each rename, not by camel-file
        assertThat(context().getRegistry().lookupByNameAndType("localObjectWriter", LocalObjectWriter.class)
                .directorySyncs()).isGreaterThanOrEqualTo(3);
    }

    /*
     * A re-run after a crash between the manifest's rename and ARCHIVED finds every image recorded: a
     * manifest in the folder is left as it is; one that is missing is written.
     */
    @Test
    void aReRunWritesTheManifestOnlyWhenItIsMissing() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.png("/" + id + "/0", ArchiveToS3Test.png(5));
        byte[] body = IdeogramStandIn.deliveryBody(id, image(images.url("/" + id + "/0"), true, 5));
        assertThat(deliver(ideogram.sign(id, body), body).statusCode()).isEqualTo(200);
        awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(30));
        Path manifest = folder.resolve("generations").resolve(id).resolve("manifest.json");
        byte[] written = Files.readAllBytes(manifest);

        // present: a marker written over it survives the re-run, so nothing was written
        Files.writeString(manifest, "marker");
        asIfTheArchivedMarkWasLost(id);
        awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(30));
        assertThat(Files.readString(manifest)).isEqualTo("marker");

        // missing: written again, the same bytes as the first time
        Files.delete(manifest);
        asIfTheArchivedMarkWasLost(id);
        awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(30));
        assertThat(Files.readAllBytes(manifest)).isEqualTo(written);
        assertThat(images.requests("/" + id + "/0")).isEqualTo(1);
    }

    private void asIfTheArchivedMarkWasLost(String id) throws Exception {
        try (java.sql.Connection c = store().connection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE generation SET state = 'RECEIVED', lease_owner = NULL, lease_until = NULL, "
                    + "next_attempt_at = 0 WHERE generation_id = '" + id + "'");
        }
    }

    @Test
    void imagesOverTheSizeLimitAreRefusedWhetherAnnouncedOrNotAndLeaveNoFile() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        images.png("/" + id + "/0", ArchiveToS3Test.png(3))
                .sized("/" + id + "/announced", MAX_BYTES + 1, "image/png")
                .sizedChunked("/" + id + "/counted", MAX_BYTES + 1, "image/png");
        byte[] body = IdeogramStandIn.deliveryBody(id, image(images.url("/" + id + "/0"), true, 1),
                image(images.url("/" + id + "/announced"), true, 2), image(images.url("/" + id + "/counted"), true, 3));

        assertThat(deliver(ideogram.sign(id, body), body).statusCode()).isEqualTo(200);
        awaitState(id, GenerationState.ARCHIVED, Duration.ofSeconds(30));

        Path generation = folder.resolve("generations").resolve(id);
        JsonNode listed = JSON.readTree(generation.resolve("manifest.json").toFile()).get("images");
        assertThat(listed.get(1).get("refused").asText()).isEqualTo("image_too_large");
        assertThat(listed.get(2).get("refused").asText()).isEqualTo("image_too_large");
        try (Stream<Path> files = Files.list(generation)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .containsExactlyInAnyOrder("0.png", "manifest.json");
        }
    }
}
