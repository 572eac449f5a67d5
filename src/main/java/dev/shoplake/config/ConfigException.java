package dev.shoplake.config;

/**
 * An error the user can fix: a bad setting, a missing secret, an unreachable host, a bad file.
 * The message names the setting, host or file; the CLI prints it on one line and exits non-zero.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
