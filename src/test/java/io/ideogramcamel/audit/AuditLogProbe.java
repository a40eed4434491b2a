package io.ideogramcamel.audit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.ideogramcamel.Audit;
import org.slf4j.LoggerFactory;

/**
 * Run by AuditLogTest in a JVM of its own, so Log4j starts fresh from the bundle's
 * log4j2.properties with stdout replaced by a stream that notes which thread wrote what, and when.
 * Prints its findings to stderr as key=value lines, then dies like kill -9 (Runtime.halt: no
 * shutdown hook, no flush) right after one more audit line.
 */
public final class AuditLogProbe {

    /** stdout as Log4j sees it: every write noted with its thread, then passed to the real stdout. */
    static final class RecordingStream extends OutputStream {
        private final OutputStream out = new FileOutputStream(FileDescriptor.out);
        private final List<String[]> writes = new ArrayList<>();

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
            writes.add(new String[] { Thread.currentThread().getName(), new String(b, off, len, StandardCharsets.UTF_8) });
            out.write(b, off, len);
        }

        /** The thread that wrote {@code text}, or null when it has not reached this stream. */
        synchronized String writerOf(String text) {
            for (String[] write : writes) {
                if (write[1].contains(text)) {
                    return write[0];
                }
            }
            return null;
        }
    }

    public static void main(String[] args) throws Exception {
        RecordingStream recording = new RecordingStream();
        System.setOut(new PrintStream(recording, false, StandardCharsets.UTF_8));
        String caller = Thread.currentThread().getName();

        // warm up both paths, so class loading does not decide anything below
        LoggerFactory.getLogger("io.ideogramcamel.probe").info("warm-up");
        Audit.LOG.info("audit warm-up");

        Audit.LOG.info("Ideogram accepted submission probe-q1 as generation probe-g1");
        // read at once, with no wait: a queued or buffered line has not reached the stream yet
        System.err.println("audit.writer=" + recording.writerOf("probe-g1"));
        System.err.println("caller=" + caller);

        LoggerFactory.getLogger("io.ideogramcamel.probe").info("ordinary probe line");
        long deadline = System.nanoTime() + 10_000_000_000L;
        String ordinaryWriter = recording.writerOf("ordinary probe line");
        while (ordinaryWriter == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
            ordinaryWriter = recording.writerOf("ordinary probe line");
        }
        System.err.println("ordinary.writer=" + ordinaryWriter);
        System.err.flush();

        Audit.LOG.info("Ideogram accepted submission probe-q2 as generation probe-g2");
        Runtime.getRuntime().halt(137);
    }
}
