package io.ideogramcamel.events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import io.ideogramcamel.store.GenerationStore;

/** The event delivery ledger on an embedded H2 file: competing workers are threads of one process. */
class H2EventDeliveryLedgerTest extends AbstractEventDeliveryLedgerTest {

    private Path dir;

    @Override
    protected String jdbcUrl() {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("events-h2-");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return "jdbc:h2:file:" + dir.resolve("ideogram").toAbsolutePath() + ";WRITE_DELAY=0";
    }

    @Override
    protected String username() {
        return "sa";
    }

    @Override
    protected void dropDatabase() throws Exception {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        dir = null;
    }

    @Override
    protected GenerationStore anotherInstance() {
        return store;
    }
}
