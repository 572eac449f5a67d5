package dev.shoplake.config;

/**
 * An error a person can act on, said in one line: the CLI prints its message and exits 2 (the cause
 * at DEBUG). Its type says what kind of thing went wrong: {@link ConfigException} (a setting,
 * a secret, a file, a command's arguments), {@link UnreachableException} (a server or directory that
 * cannot be reached or used), {@link StateException} (the shop or the lake is not in the state the
 * command needs) and {@link BadInputException} (a value given to a query that is not what it must be).
 */
public abstract class LakehouseException extends RuntimeException {
    protected LakehouseException(String message) {
        super(message);
    }

    protected LakehouseException(String message, Throwable cause) {
        super(message, cause);
    }
}
