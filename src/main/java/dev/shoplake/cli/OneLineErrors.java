package dev.shoplake.cli;

import dev.shoplake.config.LakehouseException;
import picocli.CommandLine;

/**
 * An error a person can act on anywhere in a command's cause chain: its message as one line, exit code
 * 2; its stack trace and cause at DEBUG ({@code logger.shoplake.level = debug} in log4j2.properties).
 */
final class OneLineErrors {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OneLineErrors.class);

    private OneLineErrors() {
    }

    static int oneLine(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        Throwable cause = e;
        while (cause != null && !(cause instanceof LakehouseException)) {
            cause = cause.getCause();
        }
        if (cause != null) {
            cmd.getErr().println("error: " + cause.getMessage());
            LOG.debug("{}", cause.getMessage(), cause);
            return 2;
        }
        throw e;
    }
}
