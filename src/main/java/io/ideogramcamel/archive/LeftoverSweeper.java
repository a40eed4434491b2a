package io.ideogramcamel.archive;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a crash leaves behind: temporary object files in {@code storage.dir/.tmp} and
 * spooled images in the spool directory. Only the bundle's own file names, only files not touched
 * for longer than {@code maxAgeSeconds} (far above the longest write, so a write in progress is
 * never touched), and only those two flat folders: the archive itself is never walked.
 */
public class LeftoverSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverSweeper.class);
    /** Files.createTempFile puts an unsigned number between prefix and suffix. */
    static final Pattern TEMP_OBJECT = Pattern.compile(
            Pattern.quote(LocalObjectWriter.TEMP_PREFIX) + "[0-9]+" + Pattern.quote(LocalObjectWriter.TEMP_SUFFIX));
    static final Pattern SPOOLED_IMAGE = Pattern.compile(
            Pattern.quote(ImageResponseHandler.SPOOL_PREFIX) + "[0-9]+" + Pattern.quote(ImageResponseHandler.SPOOL_SUFFIX));

    private Path storageDir;
    private Path spoolDir;
    private long maxAgeSeconds = 3600;
    private Clock clock = Clock.systemUTC();

    public void setStorageDir(String storageDir) {
        this.storageDir = Paths.get(storageDir);
    }

    public void setSpoolDir(String spoolDir) {
        this.spoolDir = Paths.get(spoolDir);
    }

    /** Files younger than this are left alone: keep it well above ideogram.image.max-seconds. */
    public void setMaxAgeSeconds(long maxAgeSeconds) {
        this.maxAgeSeconds = maxAgeSeconds;
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }

    /** @return how many leftovers were removed; never throws (the next sweep tries again) */
    public int sweep() {
        FileTime cutoff = FileTime.from(clock.instant().minus(Duration.ofSeconds(maxAgeSeconds)));
        int removed = sweep(storageDir == null ? null : storageDir.resolve(LocalObjectWriter.TEMP_DIR), TEMP_OBJECT, cutoff)
                + sweep(spoolDir, SPOOLED_IMAGE, cutoff);
        if (removed > 0) {
            LOG.info("removed {} leftover temporary files older than {} s", removed, maxAgeSeconds);
        }
        return removed;
    }

    private static int sweep(Path folder, Pattern names, FileTime cutoff) {
        if (folder == null || !Files.isDirectory(folder)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder,
                f -> names.matcher(f.getFileName().toString()).matches())) {
            for (Path file : files) {
                removed += removeIfOlder(file, cutoff);
            }
        } catch (IOException e) {
            LOG.warn("leftover sweep could not list a folder ({})", e.getClass().getSimpleName());
        }
        return removed;
    }

    private static int removeIfOlder(Path file, FileTime cutoff) {
        try {
            if (Files.isRegularFile(file) && Files.getLastModifiedTime(file).compareTo(cutoff) < 0) {
                return Files.deleteIfExists(file) ? 1 : 0;
            }
        } catch (IOException e) {
            // gone meanwhile, or not ours to delete: the next sweep looks again
        }
        return 0;
    }
}
