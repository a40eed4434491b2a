import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Base64;
import java.util.Random;

import com.sun.management.ThreadMXBean;

/**
 * What one accepted delivery's durable insert costs an embedded store once the JVM is warm (issue 17's
 * floor): the accept's "insert if absent" into a table shaped like the store's generation table (its
 * primary key and the three state indexes), in batches of 16 rows per commit as the group commit
 * writes them under the webhook benchmark's 16 connections, on one thread. Prints wall and CPU time
 * per row over the measured rows, after the warm-up rows. Compare the file's size afterwards.
 *
 * <p>The table and the insert are a simplified copy of the store's (the migrations' generation table,
 * {@code SqlDialect.H2}'s insert without its database-clock expression), not the store's own: the
 * same statement must run on SQLite, where {@code EXTRACT(EPOCH ...)} and {@code LEAST} differ, with
 * only a JDBC driver on the class path.
 *
 * <p>Run as a single-file program with the driver on the class path, from the project root:
 * <pre>
 * mvn -q dependency:copy -Dartifact=org.xerial:sqlite-jdbc:3.54.1.0 -DoutputDirectory=/tmp/store-cost
 * java -XX:+UseParallelGC -cp ~/.m2/repository/com/h2database/h2/2.3.232/h2-2.3.232.jar src/test/bench/StoreCommitCost.java "jdbc:h2:file:/tmp/store-cost/h2;WRITE_DELAY=0" 100000 100000
 * java -XX:+UseParallelGC -cp /tmp/store-cost/sqlite-jdbc-3.54.1.0.jar src/test/bench/StoreCommitCost.java jdbc:sqlite:/tmp/store-cost/s.db 100000 100000
 * </pre>
 * SQLite runs in WAL mode with synchronous=NORMAL, which like H2's WRITE_DELAY=0 keeps every commit
 * across a process crash. The store's database must not exist yet.
 */
public final class StoreCommitCost {

    private static final int BATCH = 16;

    private static final String[] SCHEMA = {
        "CREATE TABLE generation (generation_id VARCHAR(256) NOT NULL PRIMARY KEY, state VARCHAR(16) NOT NULL, "
                + "source VARCHAR(16), created VARCHAR(256), images TEXT, attempts INTEGER NOT NULL DEFAULT 0, "
                + "lease_owner VARCHAR(128), lease_until BIGINT, next_attempt_at BIGINT, received_at BIGINT, "
                + "updated_at BIGINT NOT NULL)",
        "CREATE INDEX generation_state_next_attempt ON generation (state, next_attempt_at)",
        "CREATE INDEX generation_state_updated ON generation (state, updated_at, generation_id)",
        "CREATE INDEX generation_state_received ON generation (state, received_at)",
    };

    private static final String INSERT_IF_ABSENT = "INSERT INTO generation (generation_id, state, source, created, "
            + "images, received_at, next_attempt_at, updated_at) SELECT ?, 'RECEIVED', 'webhook', ?, ?, ?, ?, ? "
            + "WHERE NOT EXISTS (SELECT 1 FROM generation WHERE generation_id = ?)";

    /** One image of a delivery's data[], about the size the webhook benchmark sends. */
    private static final String IMAGES = "[{\"url\":\"https://images.bench.invalid/a/b.png\","
            + "\"prompt\":\"a red bicycle leaning on a wall at dusk\",\"resolution\":\"1024x1024\","
            + "\"seed\":12345,\"is_image_safe\":true}]";

    private StoreCommitCost() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int warmUp = Integer.parseInt(args[1]);
        int measured = Integer.parseInt(args[2]);
        ThreadMXBean cpu = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement()) {
                if (url.startsWith("jdbc:sqlite:")) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=NORMAL");
                }
                for (String ddl : SCHEMA) {
                    s.execute(ddl);
                }
            }
            c.setAutoCommit(false);
            Random random = new Random(1);
            long wallStart = 0;
            long cpuStart = 0;
            try (PreparedStatement insert = c.prepareStatement(INSERT_IF_ABSENT)) {
                for (int row = 0; row < warmUp + measured; row += BATCH) {
                    if (row == warmUp) {
                        wallStart = System.nanoTime();
                        cpuStart = cpu.getCurrentThreadCpuTime();
                    }
                    for (int i = 0; i < BATCH; i++) {
                        addRow(insert, randomId(random), System.currentTimeMillis());
                    }
                    insert.executeBatch();
                    c.commit();
                }
            }
            double wallMicros = (System.nanoTime() - wallStart) / 1e3 / measured;
            double cpuMicros = (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e3 / measured;
            System.out.printf("%s: %.1f us wall, %.1f us CPU per row (batches of %d, %d rows after %d warm-up)%n",
                    url.replaceAll(";.*", ""), wallMicros, cpuMicros, BATCH, measured, warmUp);
        }
    }

    private static void addRow(PreparedStatement insert, String id, long now) throws Exception {
        insert.setString(1, id);
        insert.setString(2, "2026-11-30T10:00:00+00:00");
        insert.setString(3, IMAGES);
        insert.setLong(4, now);
        insert.setLong(5, now);
        insert.setLong(6, now);
        insert.setString(7, id);
        insert.addBatch();
    }

    /** An id like Ideogram's: 16 random bytes, URL-safe base64, so inserts land all over the key's index. */
    private static String randomId(Random random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
