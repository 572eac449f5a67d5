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
 * dimensions change (the batch ran), those facts get their keys. Run in the stream's own thread,
 * between its appends, so it never races them (an update and an append in one partition conflict).
 */
final class LateKeys {
    private final DeltaWriter writer;
    /** The dimension versions the waiting facts were last resolved against. */
    private String resolvedAt = "";

    LateKeys(DeltaWriter writer) {
        this.writer = writer;
    }

    /** @param versions the dimensions' versions ({@link DimensionCache#versions}); nothing to do when they did not move */
    Map<String, Long> resolve(String versions, boolean noDimensionYet, Dataset<Row> dimCustomer, Dataset<Row> dimProduct) {
        if (versions.equals(resolvedAt)) {
            return Map.of();
        }
        if (noDimensionYet) { // before the first batch nothing can resolve: no MERGE for nothing
            resolvedAt = versions;
            return Map.of();
        }
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
        resolvedAt = versions;
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
