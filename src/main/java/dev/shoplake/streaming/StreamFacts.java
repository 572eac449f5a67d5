package dev.shoplake.streaming;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import dev.shoplake.gold.GoldModel;
import dev.shoplake.lake.AcceptedValues;
import dev.shoplake.source.events.EventTopic;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The gold facts the stream keeps, as pure functions of parsed events (see {@link EventParser})
 * and gold's dimensions. A dimension version that has not reached gold yet gives key -1
 * ({@link GoldModel#UNKNOWN_KEY}); {@link #resolveKeys} fills it in once it has.
 */
public final class StreamFacts {

    private StreamFacts() {
    }

    /** Usable events, one per event id (a message sent twice counts once). */
    public static Dataset<Row> usable(Dataset<Row> events) {
        return events.where(col("error").isNull()).dropDuplicates("event_id");
    }

    /** Whether a parsed event is a cart action (a row of gold.fact_cart_activity once usable). */
    public static Column isCartAction() {
        return col("kind").equalTo(EventTopic.STORE.name()).and(col("type").isin(AcceptedValues.CART_ACTIONS.toArray()));
    }

    /** Whether a parsed event is a stock change (a row of gold.fact_product_stock once usable). */
    public static Column isStockChange() {
        return col("kind").equalTo(EventTopic.STOCK.name()).and(col("type").equalTo("STOCK_CHANGED"));
    }

    /**
     * gold.fact_cart_activity rows from the store topic's cart actions.
     *
     * @param events parsed events with their dimension keys ({@link #keyed}, or the stream's own lookup)
     */
    public static Dataset<Row> cartActivity(Dataset<Row> events) {
        return usable(events).where(isCartAction())
                .select(col("event_id"), col("type").as("action"), col("event_time"),
                        dateKey(col("event_time")).as("date_key"), col("cart_id"), col("customer_id"),
                        col("customer_key"), col("product_id"), col("product_key"), col("quantity"), col("unit_price"),
                        when(col("type").equalTo("CHECKOUT"), col("sale_id")).as("sale_id"));
    }

    /**
     * gold.fact_product_stock rows from the stock topic's changes.
     *
     * @param events parsed events with their dimension keys ({@link #keyed}, or the stream's own lookup)
     */
    public static Dataset<Row> productStock(Dataset<Row> events) {
        return usable(events).where(isStockChange())
                .select(col("event_id"), col("event_time"), dateKey(col("event_time")).as("date_key"),
                        col("product_id"), col("product_key"), col("delta"), col("stock_level"), col("reason"),
                        col("cart_id"), col("offset").as("stream_position"));
    }

    /**
     * {@code rows} with {@code customer_key} and {@code product_key}: the versions of gold's
     * dimensions valid at each row's {@code event_time}, key -1 where none is (yet), null where the
     * row has no customer or product (a cart-level action has no product).
     */
    public static Dataset<Row> keyed(Dataset<Row> rows, Dataset<Row> dimCustomer, Dataset<Row> dimProduct) {
        Dataset<Row> keyed = GoldModel.versionAt(rows, "customer_id", "event_time", dimCustomer, "customer_id",
                "customer_key");
        keyed = GoldModel.versionAt(keyed, "product_id", "event_time", dimProduct, "product_id", "product_key");
        return keyed.withColumn("customer_key", when(col("customer_id").isNull(), lit(null).cast("long"))
                        .otherwise(col("customer_key")))
                .withColumn("product_key", when(col("product_id").isNull(), lit(null).cast("long"))
                        .otherwise(col("product_key")));
    }

    /**
     * Each product's latest stock row: by event time, then by position in its partition (all of a
     * product's changes share one partition, so the offset orders changes at the same instant).
     */
    public static Dataset<Row> latestStock(Dataset<Row> stockFacts) {
        return stockFacts
                .withColumn("_rank", row_number().over(Window.partitionBy("product_id")
                        .orderBy(col("event_time").desc(), col("stream_position").desc())))
                .where(col("_rank").equalTo(1))
                .select("product_id", "stock_level", "event_time", "stream_position", "event_id");
    }

    /**
     * Cart facts whose customer or product key is still unknown, with the keys gold's dimensions
     * give them now; only rows whose keys changed are returned.
     */
    public static Dataset<Row> resolveKeys(Dataset<Row> waiting, Dataset<Row> dimCustomer, Dataset<Row> dimProduct) {
        Dataset<Row> before = waiting.select(col("event_id"), col("customer_key").as("_customer_key"),
                col("product_key").as("_product_key"));
        String[] columns = waiting.columns();
        return keyed(waiting.drop("customer_key", "product_key"), dimCustomer, dimProduct)
                .join(before, "event_id")
                .where(col("customer_key").eqNullSafe(col("_customer_key"))
                        .and(col("product_key").eqNullSafe(col("_product_key"))).unary_$bang())
                .select(columns[0], java.util.Arrays.copyOfRange(columns, 1, columns.length));
    }
}
