package dev.shoplake.lake;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every closed list of values the lake accepts, declared once: the tables' CHECK constraints
 * ({@link LakeTables}) and the parsers that quarantine what a CHECK would refuse are built from
 * these lists, so the two cannot drift apart.
 */
public final class AcceptedValues {
    /** A support ticket's lifecycle in silver and gold. */
    public static final List<String> TICKET_STATUSES = List.of("Pending", "Escalated", "Resolved", "Closed");
    /** The order statuses of the source database's enum. */
    public static final List<String> ORDER_STATUSES = List.of("Pending", "Completed", "Canceled");
    /** The payment statuses of the source database's enum. */
    public static final List<String> PAYMENT_STATUSES = List.of("Paid", "Pending", "Failed");
    /** What a store event does to a cart. */
    public static final List<String> CART_ACTIONS = List.of("CREATE_CART", "ADD_TO_CART", "REMOVE_FROM_CART", "CHECKOUT",
            "DELETE_CART");
    /** Why a product's stock moved. */
    public static final List<String> STOCK_REASONS = List.of("initial", "cart", "restock", "purge");
    /** How a job run's table ended. */
    public static final List<String> RUN_STATUSES = List.of("ok", "failed");
    /** The layers whose runs record what they read ({@code ops.model_inputs}). */
    public static final List<String> READING_LAYERS = List.of("silver", "gold");
    /** The data tests derived from the specs ({@code ops.data_tests}). */
    public static final List<String> DATA_TESTS = List.of("unique", "not_null", "references", "accepted_values");

    private AcceptedValues() {
    }

    /** The SQL condition {@code column IN ('a', 'b', ...)}. */
    public static String in(String column, List<String> values) {
        return column + " IN (" + values.stream().map(v -> "'" + v.replace("'", "''") + "'")
                .collect(Collectors.joining(", ")) + ")";
    }
}
