package io.ideogramcamel.testing;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects the lines logged under a logger name (and its children), as "LEVEL message", through a
 * log4j2 appender added to the running configuration. Close it to detach.
 */
public final class LogCapture implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final String loggerName;
    private final Appender appender;
    private final boolean addedLoggerConfig;

    private LogCapture(String loggerName) {
        this.loggerName = loggerName;
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        appender = new Appender("capture-" + UUID.randomUUID(), lines);
        appender.start();
        LoggerConfig existing = config.getLoggerConfig(loggerName);
        if (existing.getName().equals(loggerName)) {
            existing.addAppender(appender, Level.ALL, null);
            addedLoggerConfig = false;
        } else {
            LoggerConfig own = new LoggerConfig(loggerName, null, true);
            own.setParent(existing);
            own.addAppender(appender, Level.ALL, null);
            config.addLogger(loggerName, own);
            addedLoggerConfig = true;
        }
        context.updateLoggers();
    }

    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    public static LogCapture of(Class<?> type) {
        return of(type.getName());
    }

    /** Every line so far, "LEVEL message". */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits, bounded, for a line containing every one of {@code parts}; returns it or null. */
    public String await(long timeoutMillis, String... parts) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        do {
            for (String line : lines) {
                if (containsAll(line, parts)) {
                    return line;
                }
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return null;
    }

    private static boolean containsAll(String line, String[] parts) {
        for (String p : parts) {
            if (!line.contains(p)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        if (addedLoggerConfig) {
            config.removeLogger(loggerName);
        } else {
            config.getLoggerConfig(loggerName).removeAppender(appender.getName());
        }
        context.updateLoggers();
        appender.stop();
    }

    private static final class Appender extends AbstractAppender {
        private final List<String> sink;

        Appender(String name, List<String> sink) {
            super(name, null, null, true, Property.EMPTY_ARRAY);
            this.sink = sink;
        }

        @Override
        public void append(LogEvent event) {
            sink.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
    }
}
