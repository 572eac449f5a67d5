package dev.shoplake.cli;

import dev.shoplake.config.ConfigException;
import picocli.CommandLine;

/** A user-fixable error anywhere in a command's cause chain: its message as one line, exit code 2. */
final class ConfigErrors {
    private ConfigErrors() {
    }

    static int oneLine(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        Throwable cause = e;
        while (cause != null && !(cause instanceof ConfigException)) {
            cause = cause.getCause();
        }
        if (cause != null) {
            cmd.getErr().println("error: " + cause.getMessage());
            return 2;
        }
        throw e;
    }
}
