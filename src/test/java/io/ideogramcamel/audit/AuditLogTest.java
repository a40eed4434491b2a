package io.ideogramcamel.audit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bundle's log4j2.properties (target/classes) in a fresh JVM (AuditLogProbe): a line of the
 * audit logger (io.ideogramcamel.audit, the accepted-submission record) is written by the calling
 * thread and flushed to stdout before the log call returns, and survives the process dying right
 * after; ordinary lines still go through the asynchronous appender.
 */
class AuditLogTest {

    @Test
    void auditLinesAreWrittenAndFlushedByTheCallerOrdinaryLinesStayAsync(@TempDir Path dir) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = dir.resolve("stdout.log");
        Path err = dir.resolve("stderr.log");
        Process probe = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", classpath, AuditLogProbe.class.getName()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!probe.waitFor(60, TimeUnit.SECONDS)) {
            probe.destroyForcibly();
            throw new AssertionError("probe did not end within 60 s");
        }
        Map<String, String> found = new HashMap<>();
        for (String line : Files.readAllLines(err, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.contains(" ")) {
                found.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(probe.exitValue()).as(stderr).isEqualTo(137);
        assertThat(found).as(stderr).containsKeys("caller", "audit.writer", "ordinary.writer");

        // synchronous and flushed: in stdout, written by the caller, before the call returned
        assertThat(found.get("audit.writer")).as("audit line written by").isEqualTo(found.get("caller"));
        // the rest stays asynchronous (the busy webhook path pays no console write)
        assertThat(found.get("ordinary.writer")).as("ordinary line written by")
                .isNotEqualTo("null").isNotEqualTo(found.get("caller"));
        // and the last audit line, logged right before the process died without any flush, is there
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(stdout).contains("Ideogram accepted submission probe-q1 as generation probe-g1")
                .contains("Ideogram accepted submission probe-q2 as generation probe-g2");
    }
}
