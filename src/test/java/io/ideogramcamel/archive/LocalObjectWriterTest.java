package io.ideogramcamel.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local object store on a real folder: whole or nothing, and flushed after the rename. */
class LocalObjectWriterTest {

    @TempDir
    Path root;

    private LocalObjectWriter writer() {
        LocalObjectWriter writer = new LocalObjectWriter();
        writer.setDir(root.toString());
        return writer;
    }

    private static Exchange exchange(String key, Object body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(ImageResponseHandler.OBJECT_KEY, key);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    private long temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve(LocalObjectWriter.TEMP_DIR))) {
            return files.count();
        }
    }

    @Test
    void aStreamLandsWholeUnderItsKeyWithTheFolderFlushedAndNoTemporaryFileLeft() throws Exception {
        LocalObjectWriter writer = writer();
        byte[] image = ArchiveToS3Test.png(40_000);

        writer.write(exchange("generations/g1/0.png", new ByteArrayInputStream(image)));

        assertThat(Files.readAllBytes(root.resolve("generations/g1/0.png"))).isEqualTo(image);
        assertThat(temporaryFiles()).isZero();
        // the key's folder after the rename, and the new folders in their parents
        assertThat(writer.directorySyncs()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void bytesAndSpooledFilesAreWrittenTooAndAnExistingObjectIsReplacedWhole() throws Exception {
        LocalObjectWriter writer = writer();
        Path spooled = Files.write(Files.createTempFile("spooled-", ".bin"), ArchiveToS3Test.png(9));

        writer.write(exchange("generations/g2/manifest.json", "{\"old\":true,\"longer\":true}".getBytes()));
        writer.write(exchange("generations/g2/manifest.json", "{}".getBytes()));
        writer.write(exchange("generations/g2/0.png", spooled.toFile()));

        assertThat(Files.readString(root.resolve("generations/g2/manifest.json"))).isEqualTo("{}");
        assertThat(Files.readAllBytes(root.resolve("generations/g2/0.png"))).isEqualTo(ArchiveToS3Test.png(9));
        Files.delete(spooled);
    }

    @Test
    void anObjectGetsThePermissionsOfAnyNewFileNotOwnerOnlyOnes() throws Exception {
        writer().write(exchange("generations/g4/0.png", new ByteArrayInputStream(ArchiveToS3Test.png(4))));
        Path plain = Files.createFile(root.resolve("plain"));

        assertThat(Files.getPosixFilePermissions(root.resolve("generations/g4/0.png")))
                .isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void aSourceThatFailsMidwayLeavesNeitherTheObjectNorATemporaryFile() throws Exception {
        LocalObjectWriter writer = writer();
        InputStream tooLarge = new MeteredInputStream(new ByteArrayInputStream(new byte[10_000]), 4096);

        assertThatThrownBy(() -> writer.write(exchange("generations/g3/0.png", tooLarge)))
                .isInstanceOf(MeteredInputStream.ImageTooLargeException.class);

        assertThat(root.resolve("generations/g3/0.png")).doesNotExist();
        assertThat(temporaryFiles()).isZero();
    }

    @Test
    void aKeyOutsideStorageDirIsRefused() {
        LocalObjectWriter writer = writer();

        assertThatThrownBy(() -> writer.write(exchange("../escaped.png", new ByteArrayInputStream(new byte[1]))))
                .isInstanceOf(ArchiveFailedException.class);
        assertThatThrownBy(() -> writer.write(exchange(".tmp/object-1.part", new ByteArrayInputStream(new byte[1]))))
                .isInstanceOf(ArchiveFailedException.class);
        assertThat(root.getParent().resolve("escaped.png")).doesNotExist();
    }
}
