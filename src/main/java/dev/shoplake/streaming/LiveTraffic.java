package dev.shoplake.streaming;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.window;

import dev.shoplake.source.events.EventTopic;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Website and store traffic per minute of event time, for the live dashboard: each micro-batch's
 * events counted per minute ({@link #perMinute}), then added to the minutes the table holds
 * ({@link #add}). No state outside the table: a late event is counted in its own minute, and a
 * replayed micro-batch is skipped by the write's Delta transaction id (see {@link EventStream}).
 */
public final class LiveTraffic {
    /** The counted columns, in the table's order after minute and date_key. */
    public static final java.util.List<String> COUNTS = java.util.List.of("sessions", "page_views", "store_actions",
            "carts_created", "add_to_carts", "checkouts", "orders_paid", "payments_failed", "revenue");

    private LiveTraffic() {
    }

    /** Whether a parsed event is traffic (website, store, checkout), which the live minutes count. */
    public static Column isTraffic() {
        return col("kind").isin(EventTopic.WEBSITE.name(), EventTopic.STORE.name(), EventTopic.CHECKOUT.name());
    }

    /**
     * The minutes {@code held} (rows of gold.live_traffic_minute) with the counts {@code counted}
     * ({@link #perMinute} rows) added: every minute of either, conversion recomputed from the sums.
     */
    public static Dataset<Row> add(Dataset<Row> held, Dataset<Row> counted) {
        Column[] sums = COUNTS.stream().map(c -> sum(col(c)).as(c)).toArray(Column[]::new);
        Dataset<Row> both = held.drop("cart_conversion").unionByName(counted.drop("cart_conversion"));
        return both.groupBy(col("minute"), col("date_key")).agg(sums[0], java.util.Arrays.copyOfRange(sums, 1, sums.length))
                .withColumn("revenue", col("revenue").cast("decimal(18,2)"))
                .withColumn("cart_conversion", when(col("carts_created").gt(0),
                        col("checkouts").cast("double").divide(col("carts_created"))));
    }

    /** @param events usable parsed events (see {@link EventParser}) */
    public static Dataset<Row> perMinute(Dataset<Row> events) {
        return events.groupBy(window(col("event_time"), "1 minute").as("w")).agg(
                        count(col("type").equalTo("SESSION_START")).as("sessions"),
                        count(col("type").equalTo("PAGE_VIEW")).as("page_views"),
                        count(col("kind").equalTo(EventTopic.STORE.name())).as("store_actions"),
                        count(col("type").equalTo("CREATE_CART")).as("carts_created"),
                        count(col("type").equalTo("ADD_TO_CART")).as("add_to_carts"),
                        count(col("type").equalTo("CHECKOUT")).as("checkouts"),
                        count(col("type").equalTo("SUCCESS_SALE")).as("orders_paid"),
                        count(col("type").equalTo("MAKE_PAYMENT").and(col("payment_status").equalTo("Failed")))
                                .as("payments_failed"),
                        coalesce(sum(when(col("type").equalTo("SUCCESS_SALE"), col("total_amount"))),
                                lit(0)).cast("decimal(18,2)").as("revenue"))
                .select(col("w.start").as("minute"), dateKey(col("w.start")).as("date_key"), col("sessions"),
                        col("page_views"), col("store_actions"), col("carts_created"), col("add_to_carts"),
                        col("checkouts"), col("orders_paid"), col("payments_failed"), col("revenue"),
                        when(col("carts_created").gt(0), col("checkouts").cast("double").divide(col("carts_created")))
                                .as("cart_conversion"));
    }

    private static Column count(Column condition) {
        return sum(when(condition, 1L).otherwise(0L));
    }
}
