package dev.shoplake.streaming;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.shoplake.source.events.EventTopic;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Website and store traffic per minute of event time, for the live dashboard. What each event adds
 * to its minute is defined once, as columns ({@link #contributions}): Spark computes them when a
 * micro-batch is read, and the minutes are their sums ({@link #perMinute} in Spark,
 * {@link Minutes} on the driver for a micro-batch already in hand). No state outside the table: a
 * late event is counted in its own minute, and a replayed micro-batch is skipped by the write's
 * Delta transaction id (see {@link TrafficMinutes}).
 */
public final class LiveTraffic {
    /** The counted columns, in the table's order after minute and date_key. */
    public static final List<String> COUNTS = List.of("sessions", "page_views", "store_actions",
            "carts_created", "add_to_carts", "checkouts", "orders_paid", "payments_failed", "revenue");

    private LiveTraffic() {
    }

    /** Whether a parsed event is traffic (website, store, checkout), which the live minutes count. */
    public static Column isTraffic() {
        return col("kind").isin(EventTopic.WEBSITE.name(), EventTopic.STORE.name(), EventTopic.CHECKOUT.name());
    }

    /** The minute an event counts in. */
    public static Column minute(Column eventTime) {
        return date_trunc("minute", eventTime);
    }

    /** What one parsed event adds to each of {@link #COUNTS} in its minute, in that order. */
    public static Map<String, Column> contributions() {
        Map<String, Column> c = new LinkedHashMap<>();
        c.put("sessions", one(col("type").equalTo("SESSION_START")));
        c.put("page_views", one(col("type").equalTo("PAGE_VIEW")));
        c.put("store_actions", one(col("kind").equalTo(EventTopic.STORE.name())));
        c.put("carts_created", one(col("type").equalTo("CREATE_CART")));
        c.put("add_to_carts", one(col("type").equalTo("ADD_TO_CART")));
        c.put("checkouts", one(col("type").equalTo("CHECKOUT")));
        c.put("orders_paid", one(col("type").equalTo("SUCCESS_SALE")));
        c.put("payments_failed", one(col("type").equalTo("MAKE_PAYMENT").and(col("payment_status").equalTo("Failed"))));
        c.put("revenue", when(col("type").equalTo("SUCCESS_SALE"), col("total_amount")).otherwise(lit(0))
                .cast("decimal(18,2)"));
        return c;
    }

    /** @param events usable parsed events (see {@link EventParser}), traffic only */
    public static Dataset<Row> perMinute(Dataset<Row> events) {
        Map<String, Column> contributions = contributions();
        Column[] sums = contributions.entrySet().stream().map(e -> sum(e.getValue()).as(e.getKey())).toArray(Column[]::new);
        return events.groupBy(minute(col("event_time")).as("minute"))
                .agg(sums[0], java.util.Arrays.copyOfRange(sums, 1, sums.length))
                .select(col("minute"), dateKey(col("minute")).as("date_key"), col("sessions"), col("page_views"),
                        col("store_actions"), col("carts_created"), col("add_to_carts"), col("checkouts"),
                        col("orders_paid"), col("payments_failed"), col("revenue").cast("decimal(18,2)").as("revenue"),
                        conversion(col("carts_created"), col("checkouts")).as("cart_conversion"));
    }

    /**
     * Rows of gold.live_traffic_minute from rows of gold.live_traffic_increments (or of this table):
     * their counts summed per minute, cart conversion from the sums.
     */
    public static Dataset<Row> sumPerMinute(Dataset<Row> increments) {
        Column[] sums = COUNTS.stream().map(c -> sum(col(c)).as(c)).toArray(Column[]::new);
        return increments.groupBy(col("minute"), col("date_key")).agg(sums[0], java.util.Arrays.copyOfRange(sums, 1, sums.length))
                .withColumn("revenue", col("revenue").cast("decimal(18,2)"))
                .withColumn("cart_conversion", conversion(col("carts_created"), col("checkouts")));
    }

    private static Column one(Column condition) {
        return when(condition, 1L).otherwise(0L);
    }

    private static Column conversion(Column cartsCreated, Column checkouts) {
        return when(cartsCreated.gt(0), checkouts.cast("double").divide(cartsCreated));
    }

    /**
     * Minutes and their counts on the driver: added up from rows that carry {@code minute} and the
     * {@link #COUNTS} (a day as the table holds it, or a micro-batch's events with their
     * contributions), and handed out as rows of gold.live_traffic_minute.
     */
    public static final class Minutes {
        private final TreeMap<Timestamp, Object[]> counts = new TreeMap<>();
        private final Map<Timestamp, Integer> days = new java.util.HashMap<>();

        /** Adds each row's counts to its minute (rows with {@code minute}, {@code date_key} and the counts). */
        public Minutes add(Iterable<Row> rows) {
            for (Row r : rows) {
                days.putIfAbsent(r.getAs("minute"), r.getAs("date_key"));
                Object[] held = counts.computeIfAbsent(r.<Timestamp>getAs("minute"), m -> zero());
                for (int i = 0; i < COUNTS.size(); i++) {
                    Object v = r.getAs(COUNTS.get(i));
                    held[i] = held[i] instanceof BigDecimal d ? d.add((BigDecimal) v) : (Long) held[i] + (Long) v;
                }
            }
            return this;
        }

        public boolean isEmpty() {
            return counts.isEmpty();
        }

        /** Rows of gold.live_traffic_minute, by minute: minute, date_key, the counts, cart conversion. */
        public List<Row> rows() {
            List<Row> out = new java.util.ArrayList<>();
            counts.forEach((minute, c) -> {
                Object[] values = new Object[COUNTS.size() + 3];
                values[0] = minute;
                values[1] = days.get(minute);
                System.arraycopy(c, 0, values, 2, c.length);
                long carts = (Long) c[COUNTS.indexOf("carts_created")];
                values[values.length - 1] = carts > 0 ? (double) (Long) c[COUNTS.indexOf("checkouts")] / carts : null;
                out.add(new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values,
                        dev.shoplake.lake.LakeTables.GOLD_LIVE_TRAFFIC.schema()));
            });
            return out;
        }

        /** Rows of gold.live_traffic_increments: what micro-batch {@code batchId} of query {@code queryId} counted. */
        public List<Row> increments(String queryId, long batchId) {
            List<Row> out = new java.util.ArrayList<>();
            StructType schema = dev.shoplake.lake.LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS.schema();
            counts.forEach((minute, c) -> {
                Object[] values = new Object[COUNTS.size() + 4];
                values[0] = minute;
                values[1] = days.get(minute);
                System.arraycopy(c, 0, values, 2, c.length);
                values[values.length - 2] = queryId;
                values[values.length - 1] = batchId;
                out.add(new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, schema));
            });
            return out;
        }

        private static Object[] zero() {
            Object[] zero = new Object[COUNTS.size()];
            for (int i = 0; i < zero.length; i++) {
                zero[i] = COUNTS.get(i).equals("revenue") ? BigDecimal.ZERO.setScale(2) : (Object) 0L;
            }
            return zero;
        }
    }
}
