package io.ideogramcamel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The contract on an embedded H2 file, plus what only H2 needs: WRITE_DELAY=0 and a kill -9 right
 * after accepts, and a database file held by another process (the store's "down" case when embedded).
 */
class H2GenerationStoreTest extends AbstractGenerationStoreTest {

    @Override
    protected TestDatabase createDatabase() throws Exception {
        return new H2Database();
    }

    private H2Database h2() {
        return (H2Database) db;
    }

    @Test
    void anH2FileUrlWithoutWriteDelayGetsWriteDelayZero() {
        assertThat(GenerationStore.withWriteDelayZero("jdbc:h2:file:./data/x"))
                .isEqualTo("jdbc:h2:file:./data/x;WRITE_DELAY=0");
        assertThat(GenerationStore.withWriteDelayZero("jdbc:h2:./data/x;AUTO_SERVER=FALSE"))
                .isEqualTo("jdbc:h2:./data/x;AUTO_SERVER=FALSE;WRITE_DELAY=0");
        assertThat(GenerationStore.withWriteDelayZero("jdbc:h2:file:/d/x;write_delay=0")).endsWith("write_delay=0");
        assertThat(GenerationStore.withWriteDelayZero("jdbc:h2:file:/d/x;WRITE_DELAY=500")).endsWith("WRITE_DELAY=500");
        assertThat(GenerationStore.withWriteDelayZero("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
        assertThat(GenerationStore.withWriteDelayZero("jdbc:h2:tcp://db/x")).isEqualTo("jdbc:h2:tcp://db/x");
    }

    @Test
    void theStoreRunsH2WithWriteDelayZero() throws Exception {
        GenerationStore store = startStore(h2().fileUrl());
        assertThat(store.acceptReceived("gen-wd", "webhook", null, IMAGES)).isTrue();

        // Same JVM, same file: this connection shares the database the store opened.
        try (Connection c = DriverManager.getConnection(h2().fileUrl(), "sa", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("0");
        }
    }

    @Test
    void everyAcceptAnsweredBeforeAKillMinus9IsOnDisk() throws Exception {
        Path log = h2().dir.resolve("child.log");
        Process child = java(AcceptingChild.class, log, h2().fileUrl());
        List<String> answered = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (answered.size() < 2000 && (line = out.readLine()) != null) {
                // the child's log also goes to stdout
                if (line.startsWith("kill-")) {
                    answered.add(line);
                }
            }
            // SIGKILL the instant after the 2000th answer, while the child keeps accepting.
            child.destroyForcibly();
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(answered).as(Files.exists(log) ? Files.readString(log) : "no child log").hasSize(2000);

        int missing = 0;
        try (Connection c = DriverManager.getConnection(h2().fileUrl(), "sa", "");
                PreparedStatement ps = c.prepareStatement("SELECT state FROM generation WHERE generation_id = ?")) {
            for (String id : answered) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !"RECEIVED".equals(rs.getString(1))) {
                        missing++;
                    }
                }
            }
        }
        assertThat(missing).as("accepted generations lost by kill -9").isZero();
    }

    @Test
    void aDatabaseFileHeldByAnotherProcessIsDownUntilReleased() throws Exception {
        Path log = h2().dir.resolve("holder.log");
        Process holder = java(LockHolder.class, log, h2().jdbcUrl());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).as(Files.exists(log) ? Files.readString(log) : "no holder log").isEqualTo("locked");

            GenerationStore[] store = new GenerationStore[1];
            assertThat(millisToRun(() -> store[0] = startStore())).isLessThan(10_000);
            assertThat(store[0].isAvailable()).isFalse();
            long took = millisToRun(() -> assertThatThrownBy(
                    () -> store[0].acceptReceived("gen-locked", "webhook", null, IMAGES))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageNotContaining("jdbc")
                    .hasMessageNotContaining(h2().dir.toString()));
            assertThat(took).isLessThan(5_000);

            holder.getOutputStream().close();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();

            await(Duration.ofSeconds(20), store[0]::isAvailable);
            assertThat(store[0].acceptReceived("gen-locked", "webhook", null, IMAGES)).isTrue();
            assertThat(store[0].find("gen-locked")).isPresent();
        } finally {
            holder.destroyForcibly();
        }
    }

    private static Process java(Class<?> main, Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(new File(log.toString())))
                .start();
    }

    /** A separate JVM that accepts from 4 threads and prints each id once its accept returned true. */
    public static final class AcceptingChild {
        public static void main(String[] args) throws Exception {
            GenerationStore store = new GenerationStore();
            store.setJdbcUrl(args[0]);
            store.setUsername("sa");
            store.start();
            AtomicInteger next = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread thread = new Thread(() -> {
                    while (true) {
                        String id = "kill-" + next.incrementAndGet();
                        if (store.acceptReceived(id, "webhook", null, IMAGES)) {
                            synchronized (System.out) {
                                System.out.println(id);
                                System.out.flush();
                            }
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    /** A separate JVM that holds the H2 file open until its stdin closes. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (Connection c = DriverManager.getConnection(args[0], "sa", "")) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the parent to close our stdin
                }
            }
        }
    }
}
