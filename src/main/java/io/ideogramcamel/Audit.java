package io.ideogramcamel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logger of lines that record an irreversible fact, such as a send to Ideogram that may be
 * billed, with the ids needed to find it again. log4j2.properties writes this logger synchronously
 * and flushes each line before the call returns, so the line is out of the process before the
 * bundle goes on (and answers): a kill -9 right after cannot take it along. Every other line goes
 * through the asynchronous appender.
 */
public final class Audit {

    /** The logger's name, as log4j2.properties configures it. */
    public static final String LOGGER_NAME = "io.ideogramcamel.audit";

    public static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    private Audit() {
    }
}
