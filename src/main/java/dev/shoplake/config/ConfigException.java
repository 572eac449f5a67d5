package dev.shoplake.config;

/** A bad setting, a missing secret, an unreadable file or a command's arguments that do not fit. */
public class ConfigException extends LakehouseException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
