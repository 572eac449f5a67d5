package dev.shoplake.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Facts that wait for their dimension: a fact whose customer or product version has not reached gold
 * yet carries the unknown member (-1) and is re-keyed later. Counted per fact table with the event
 * time of the oldest, so a fact that waits forever (a product that never exists) is seen, not silent.
 * The filter is on the key columns: Delta's file statistics skip every file whose keys are all known.
 */
public final class WaitingFacts {
    /** A fact table, the expression of its event time, and its dimension keys. */
    record Check(TableSpec table, String eventTime, List<String> keys) {
    }

    static final List<Check> CHECKS = List.of(
            new Check(LakeTables.GOLD_FACT_SALES, "order_date", List.of("customer_key")),
            new Check(LakeTables.GOLD_FACT_ORDER_DETAILS, "order_date", List.of("product_key")),
            new Check(LakeTables.GOLD_FACT_PAYMENTS, "payment_date", List.of("customer_key")),
            new Check(LakeTables.GOLD_FACT_SUPPORT_TICKET, "CAST(date_created AS TIMESTAMP)", List.of("customer_key")),
            new Check(LakeTables.GOLD_FACT_CART_ACTIVITY, "event_time", List.of("customer_key", "product_key")),
            new Check(LakeTables.GOLD_FACT_PRODUCT_STOCK, "event_time", List.of("product_key")));

    private WaitingFacts() {
    }

    /** One row per fact table: table_name, waiting, oldest_event_time (a pure function of the facts). */
    public static Dataset<Row> waiting(Dataset<Row> facts, String tableName, String eventTime, List<String> keys) {
        Column unknown = lit(false);
        for (String key : keys) {
            unknown = unknown.or(col(key).equalTo(LakeTables.UNKNOWN_KEY));
        }
        return facts.where(unknown).agg(count(lit(1)).as("waiting"), min(expr(eventTime)).as("oldest_event_time"))
                .select(lit(tableName).as("table_name"), col("waiting"), col("oldest_event_time"));
    }

    /** The counts of every fact table the lake holds, small enough to print. */
    public static List<Row> counts(DeltaWriter writer) {
        Dataset<Row> all = null;
        for (Check c : CHECKS) {
            if (writer.exists(c.table())) {
                Dataset<Row> one = waiting(writer.read(c.table()), c.table().qualifiedName(), c.eventTime(), c.keys());
                all = all == null ? one : all.unionByName(one);
            }
        }
        return all == null ? List.of() : all.collectAsList(); // one row per fact table
    }

    /**
     * Counts, records them in ops.waiting_facts for {@code runId}, and raises an alarm (once per table)
     * when the oldest waiting fact is older than {@code alarmAfter}. Returns the counts.
     */
    public static List<Row> record(SparkSession spark, DeltaWriter writer, String runId, Instant now,
                                   Duration alarmAfter) {
        List<Row> counts = counts(writer);
        List<Row> rows = new ArrayList<>();
        List<Row> alarms = new ArrayList<>();
        for (Row r : counts) {
            Timestamp oldest = r.getTimestamp(2);
            rows.add(org.apache.spark.sql.RowFactory.create(runId, r.getString(0), r.getLong(1), oldest,
                    Timestamp.from(now)));
            if (r.getLong(1) > 0 && oldest != null && oldest.toInstant().plus(alarmAfter).isBefore(now)) {
                alarms.add(org.apache.spark.sql.RowFactory.create("facts_waiting", r.getString(0),
                        r.getLong(1) + " fact(s) still wait for their dimension, the oldest since " + oldest.toInstant()
                                + " (more than " + alarmAfter + ")", Timestamp.from(now), runId));
            }
        }
        writer.ensure(LakeTables.OPS_WAITING_FACTS);
        writer.appendOnce(LakeTables.OPS_WAITING_FACTS, spark.createDataFrame(rows,
                LakeTables.OPS_WAITING_FACTS.schema()), "waiting_facts:" + runId, 0);
        if (!alarms.isEmpty()) {
            writer.ensure(LakeTables.OPS_ALARMS);
            writer.insertNew(LakeTables.OPS_ALARMS, spark.createDataFrame(alarms, LakeTables.OPS_ALARMS.schema()),
                    DeltaWriter.WHOLE_TABLE);
        }
        return counts;
    }
}
