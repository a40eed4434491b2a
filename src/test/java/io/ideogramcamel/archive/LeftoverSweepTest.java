package io.ideogramcamel.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leftovers of a crash, present before the bundle starts: the old temporary object and spool
 * files go at start; fresh ones (a write that may be in progress) and other names stay.
 */
class LeftoverSweepTest extends BundleTestSupport {

    private Path storageTemp;
    private Path spool;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-sweep-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        Path storage = Files.createTempDirectory("ideogram-sweep-storage-");
        storageTemp = Files.createDirectories(storage.resolve(LocalObjectWriter.TEMP_DIR));
        spool = Files.createTempDirectory("ideogram-sweep-spool-");
        for (String name : List.of("object-1234.part", "object-5678.part", "notes.part", "object-1.txt")) {
            file(storageTemp.resolve(name), name.equals("object-5678.part") ? Duration.ZERO : Duration.ofHours(2));
        }
        for (String name : List.of("ideogram-image-1234.part", "ideogram-image-5678.part", "other-1234.part")) {
            file(spool.resolve(name), name.equals("ideogram-image-5678.part") ? Duration.ZERO : Duration.ofHours(2));
        }
        properties.set("storage.dir", storage.toString())
                .set("archive.spool-dir", spool.toString())
                .set("storage.leftover-max-age-seconds", "3600");
    }

    private static void file(Path path, Duration age) throws IOException {
        Files.write(path, new byte[] { 1, 2, 3 });
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().minus(age)));
    }

    @Test
    void onlyOldFilesOfTheBundlesOwnNamesAreRemovedAtStart() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline
                && (Files.exists(storageTemp.resolve("object-1234.part")) || Files.exists(spool.resolve("ideogram-image-1234.part")))) {
            Thread.sleep(50);
        }

        assertThat(storageTemp.resolve("object-1234.part")).doesNotExist();
        assertThat(spool.resolve("ideogram-image-1234.part")).doesNotExist();
        // fresh: a write may be in progress
        assertThat(storageTemp.resolve("object-5678.part")).exists();
        assertThat(spool.resolve("ideogram-image-5678.part")).exists();
        // old, but not names the bundle gives
        assertThat(storageTemp.resolve("notes.part")).exists();
        assertThat(storageTemp.resolve("object-1.txt")).exists();
        assertThat(spool.resolve("other-1234.part")).exists();
    }
}
