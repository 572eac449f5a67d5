package dev.shoplake.config;

/** A value given to a query that is not what it must be (a moment that is not one): HTTP 400 on the dashboard. */
public class BadInputException extends LakehouseException {
    public BadInputException(String message) {
        super(message);
    }
}
