package dev.shoplake.streaming;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * One micro-batch of parsed events, read with one Spark job and held on the driver: a live
 * micro-batch is bounded by {@code maxOffsetsPerTrigger}, and everything the stream decides about
 * it (its size, its days, which events are new, their dimension keys, their minutes) is then a
 * loop over a few rows instead of a Spark job each. Every event comes with what Spark computed for
 * it once: which table it feeds ({@link #CART}, {@link #STOCK}, {@link #TRAFFIC}), its day, its
 * minute and what it adds to that minute ({@link LiveTraffic#contributions}). A usable event's raw
 * message is dropped (only a quarantined one keeps it).
 */
final class LiveBatch {
    static final String CART = "_cart_action";
    static final String STOCK = "_stock_change";
    static final String TRAFFIC = "_traffic";
    static final String DATE_KEY = "date_key";

    private final List<Row> rows;
    private final StructType schema;
    private final List<Row> usable;

    private LiveBatch(List<Row> rows, StructType schema) {
        this.rows = rows;
        this.schema = schema;
        // one per event id: a message sent twice within a batch counts once
        Map<String, Row> first = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.isNullAt(r.fieldIndex("error"))) {
                first.putIfAbsent(r.getAs("event_id"), r);
            }
        }
        this.usable = List.copyOf(first.values());
    }

    /** Reads {@code events} ({@link EventParser#parse}) with what each one feeds: one Spark job. */
    static LiveBatch read(Dataset<Row> events) {
        Column usable = col("error").isNull();
        Dataset<Row> marked = events
                .withColumn("raw_value", when(usable, lit(null).cast("string")).otherwise(col("raw_value")))
                .withColumn(CART, coalesce(usable.and(StreamFacts.isCartAction()), lit(false)))
                .withColumn(STOCK, coalesce(usable.and(StreamFacts.isStockChange()), lit(false)))
                .withColumn(TRAFFIC, coalesce(usable.and(LiveTraffic.isTraffic()), lit(false)))
                .withColumn(DATE_KEY, dateKey(col("event_time")))
                .withColumn("minute", LiveTraffic.minute(col("event_time")));
        for (Map.Entry<String, Column> c : LiveTraffic.contributions().entrySet()) {
            marked = marked.withColumn(c.getKey(), c.getValue());
        }
        return new LiveBatch(marked.collectAsList(), marked.schema());
    }

    StructType schema() {
        return schema;
    }

    /** Records read, usable or not. */
    long input() {
        return rows.size();
    }

    /** Records that cannot be used, each with its reason in {@code error}. */
    List<Row> errors() {
        return rows.stream().filter(r -> !r.isNullAt(r.fieldIndex("error"))).toList();
    }

    /** Usable events that feed {@code table} ({@link #CART}, {@link #STOCK}, {@link #TRAFFIC}), one per event id. */
    List<Row> usable(String table) {
        return usable.stream().filter(r -> r.<Boolean>getAs(table)).toList();
    }

    /** Every usable event, one per event id. */
    List<Row> usable() {
        return usable;
    }

    /** The days (date keys) of {@code events}. */
    static List<Integer> days(Collection<Row> events) {
        Set<Integer> days = new TreeSet<>();
        events.forEach(r -> days.add(r.getAs(DATE_KEY)));
        return List.copyOf(days);
    }

    /** The oldest Kafka timestamp of the batch's records; null for an empty batch. */
    Timestamp oldestKafkaTimestamp() {
        return oldest(rows, "kafka_timestamp", r -> true);
    }

    /** The newest event time among {@code events}; null when there is none. */
    static Timestamp newest(Collection<Row> events) {
        Timestamp newest = null;
        for (Row r : events) {
            Timestamp t = r.getAs("event_time");
            newest = newest == null || t.after(newest) ? t : newest;
        }
        return newest;
    }

    static Timestamp oldest(Collection<Row> events, String column, Predicate<Row> which) {
        Timestamp oldest = null;
        for (Row r : events) {
            Timestamp t = r.getAs(column);
            if (t != null && which.test(r)) {
                oldest = oldest == null || t.before(oldest) ? t : oldest;
            }
        }
        return oldest;
    }

    /** {@code events} as a Dataset again (a local relation: no job until it is written). */
    Dataset<Row> frame(SparkSession spark, List<Row> events) {
        return spark.createDataFrame(events, schema);
    }

    /** {@code events} with extra columns appended to each row (e.g. dimension keys); {@code schema} has them all. */
    static List<Row> withColumns(List<Row> events, StructType schema, java.util.function.Function<Row, Object[]> extra) {
        List<Row> out = new ArrayList<>(events.size());
        for (Row r : events) {
            Object[] more = extra.apply(r);
            Object[] values = new Object[r.length() + more.length];
            for (int i = 0; i < r.length(); i++) {
                values[i] = r.get(i);
            }
            System.arraycopy(more, 0, values, r.length(), more.length);
            out.add(new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, schema));
        }
        return out;
    }
}
