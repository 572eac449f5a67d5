package dev.shoplake.config;

/**
 * A server, port or directory that cannot be reached or used: PostgreSQL, the FTP server, Kafka,
 * a Spark Connect server, a port already taken, a part of the local stack that would not start,
 * or one of them lost under a run. Waiting or starting it again is the fix, not a change of code.
 */
public class UnreachableException extends LakehouseException {
    public UnreachableException(String message) {
        super(message);
    }

    public UnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
