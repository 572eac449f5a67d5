package dev.shoplake.config;

/**
 * The shop or the lake is not in the state the command needs: another run holds the lake's lock, the
 * shop is not seeded (or already is), another simulator runs, the simulated clock would pass the wall
 * clock, a stack already runs, a part the command needs is not set up.
 */
public class StateException extends LakehouseException {
    public StateException(String message) {
        super(message);
    }

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
