package dev.shoplake.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;

import dev.shoplake.gold.GoldModel;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Facts that arrived before their dimension version reached gold carry key -1. When gold's
 * dimensions change (the batch ran), those facts get their keys. Run beside the stream, on the
 * upkeep's cadence ({@link StreamUpkeep}), never inside a micro-batch: the stream's appends are blind
 * appends, which an update of the same days does not conflict with under Delta's default
 * WriteSerializable isolation, and facts appended after the update read the table are told about
 * ({@link #appended}) and resolved on its next run.
 */
final class LateKeys {
    private final DeltaWriter writer;
    /** Before the first run: facts a stream before this one left may be waiting. */
    private static final String EARLIER = "(before this start)";
    /**
     * The dimension versions that facts with a -1 key were keyed against, since the last run read
     * the table: a run is due when any of them is not the dimensions' current versions.
     */
    private final java.util.Set<String> keyedAt = java.util.concurrent.ConcurrentHashMap.newKeySet();

    LateKeys(DeltaWriter writer) {
        this.writer = writer;
        keyedAt.add(EARLIER);
    }

    /** A micro-batch committed facts with a -1 key, keyed against the dimensions' {@code versions}. */
    void appended(String versions) {
        keyedAt.add(versions);
    }

    /**
     * Gives the waiting facts the keys gold's dimensions now hold, if a fact may be waiting for a
     * version they did not hold when it was keyed.
     *
     * @param versions the dimensions' current versions ({@link DimensionCache#versions})
     */
    Map<String, Long> resolve(String versions, boolean noDimensionYet, Dataset<Row> dimCustomer, Dataset<Row> dimProduct) {
        java.util.Set<String> due = java.util.Set.copyOf(keyedAt);
        if (due.isEmpty() || due.equals(java.util.Set.of(versions))) {
            return Map.of();
        }
        // taken before the table is read: a fact committed after that is announced again, and waits for the next run
        keyedAt.removeAll(due);
        if (noDimensionYet) { // before the first batch nothing can resolve: no MERGE for nothing
            keyedAt.add(versions);
            return Map.of();
        }
        try {
            Map<String, Long> written = resolveNow(dimCustomer, dimProduct);
            keyedAt.add(versions); // what still waits, waits for the dimensions to move on
            return written;
        } catch (RuntimeException e) {
            keyedAt.addAll(due);
            throw e;
        }
    }

    private Map<String, Long> resolveNow(Dataset<Row> dimCustomer, Dataset<Row> dimProduct) {
        Map<String, Long> written = new LinkedHashMap<>();
        Dataset<Row> cartFacts = writer.read(LakeTables.GOLD_FACT_CART_ACTIVITY);
        written.put(LakeTables.GOLD_FACT_CART_ACTIVITY.qualifiedName() + " (late keys)", updateByDay(
                LakeTables.GOLD_FACT_CART_ACTIVITY, StreamFacts.resolveKeys(cartFacts.where(
                        col("customer_key").equalTo(GoldModel.UNKNOWN_KEY)
                                .or(col("product_key").equalTo(GoldModel.UNKNOWN_KEY))), dimCustomer, dimProduct),
                List.of("customer_key", "product_key")));
        Dataset<Row> stockWaiting = writer.read(LakeTables.GOLD_FACT_PRODUCT_STOCK)
                .where(col("product_key").equalTo(GoldModel.UNKNOWN_KEY)).drop("product_key");
        written.put(LakeTables.GOLD_FACT_PRODUCT_STOCK.qualifiedName() + " (late keys)", updateByDay(
                LakeTables.GOLD_FACT_PRODUCT_STOCK,
                GoldModel.versionAt(stockWaiting, "product_id", "event_time", dimProduct, "product_id", "product_key")
                        .where(col("product_key").notEqual(GoldModel.UNKNOWN_KEY)),
                List.of("product_key")));
        return written;
    }

    private long updateByDay(TableSpec spec, Dataset<Row> rows, List<String> columns) {
        Dataset<Row> resolved = rows.cache();
        try {
            List<Integer> days = resolved.agg(collect_set("date_key")).first().getList(0);
            if (days.isEmpty()) {
                return 0;
            }
            return writer.updateColumns(spec, resolved, DeltaWriter.target("date_key").isin(days.toArray()), columns);
        } finally {
            resolved.unpersist();
        }
    }
}
