package io.ideogramcamel.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;

/**
 * Writes one object under storage.dir whole or not at all, and durably: the bytes go to a
 * temporary file in {@code storage.dir/.tmp} (flushed to disk), which is then renamed onto the
 * object's key and the key's directory flushed too, so a crash right after the rename cannot undo
 * it. A failed write (the source failing, the image over its size limit) leaves no object; a crash
 * mid-write leaves only a temporary file, which {@link LeftoverSweeper} removes once it is old.
 */
public class LocalObjectWriter {

    /** Temporary files live here, flat, so the sweep never has to walk the archive itself. */
    public static final String TEMP_DIR = ".tmp";
    static final String TEMP_PREFIX = "object-";
    static final String TEMP_SUFFIX = ".part";

    private Path root;
    private final AtomicLong directorySyncs = new AtomicLong();

    /** storage.dir. */
    public void setDir(String dir) {
        this.root = Paths.get(dir).toAbsolutePath().normalize();
    }

    /** Writes the body (a stream, a spooled file or bytes) under the exchange's object key. */
    public void write(Exchange exchange) throws IOException, InvalidPayloadException {
        Path target = targetOf(exchange.getProperty(ImageResponseHandler.OBJECT_KEY, String.class));
        try (InputStream in = exchange.getMessage().getMandatoryBody(InputStream.class)) {
            write(in, target);
        }
    }

    /** Whether the object this exchange names is in the folder already (written whole: renamed into place). */
    public boolean isStored(Exchange exchange) {
        return Files.isRegularFile(targetOf(exchange.getProperty(ImageResponseHandler.OBJECT_KEY, String.class)));
    }

    /**
     * For the variants: the stored original this exchange names, as the file they are decoded from
     * (into {@link GenerationExchange#VARIANT_SOURCE}); left unset when it is gone.
     */
    public void locate(Exchange exchange) {
        Path file = targetOf(exchange.getProperty(ImageResponseHandler.OBJECT_KEY, String.class));
        exchange.setProperty(GenerationExchange.VARIANT_SOURCE_TEMPORARY, false);
        if (Files.isRegularFile(file)) {
            exchange.setProperty(GenerationExchange.VARIANT_SOURCE, file);
        } else {
            exchange.removeProperty(GenerationExchange.VARIANT_SOURCE);
        }
    }

    /** Removes the object this exchange names, if it is there (a variant a re-make replaced under another key). */
    public void delete(Exchange exchange) throws IOException {
        Path target = targetOf(exchange.getProperty(ImageResponseHandler.OBJECT_KEY, String.class));
        if (Files.deleteIfExists(target)) {
            syncDirectory(target.getParent());
        }
    }

    void write(InputStream in, Path target) throws IOException {
        Path tempDir = ensureDirectory(root.resolve(TEMP_DIR));
        // not Files.createTempFile: its owner-only permissions would carry over to the object,
        // which camel-file used to create with the process's umask like any other file
        Path temp = tempDir.resolve(TEMP_PREFIX + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream stream = Channels.newOutputStream(out);
                in.transferTo(stream);
                out.force(true);
            }
            Path directory = ensureDirectory(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(directory);
        } finally {
            // gone after the rename; after a failure, nothing half-written is left behind
            Files.deleteIfExists(temp);
        }
    }

    /** How many directory flushes were made; for tests and diagnostics. */
    public long directorySyncs() {
        return directorySyncs.get();
    }

    private Path targetOf(String key) {
        Path target = root.resolve(key).normalize();
        // keys come from ObjectKeys (validated ids), but a key must never leave storage.dir
        if (key == null || !target.startsWith(root) || target.equals(root) || target.startsWith(root.resolve(TEMP_DIR))) {
            throw new ArchiveFailedException("invalid_object_key");
        }
        return target;
    }

    /** Creates the directory if needed; a new one is made durable in its parent as well. */
    private Path ensureDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            ensureDirectory(directory.getParent());
            Files.createDirectories(directory);
            syncDirectory(directory.getParent());
        }
        return directory;
    }

    /*
     * fsync on a directory: its entries (a rename, a new file) survive a crash. Linux and macOS; where
     * a directory cannot be opened for it (Windows), the object is still whole, so the write stands.
     */
    private void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            return;
        }
        directorySyncs.incrementAndGet();
    }
}
