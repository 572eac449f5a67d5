package dev.shoplake.streaming;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * gold.stock_current (one row per product, its latest level) catching up with
 * gold.fact_product_stock: the stock changes committed since the facts version it last took (kept
 * in its own commits as Delta's transaction version, so a restart after kill -9 takes up exactly
 * there), each product's newest only if it is newer than what the table holds. Rewritten whole
 * from what it holds and the changes (two jobs, no MERGE), on its own cadence beside the stream:
 * a fact commit never waits for it.
 */
final class StockCurrentWriter {
    /** The transaction id under which gold.stock_current records the stock facts version it took. */
    private static final String STOCK_FEED = "shoplake.stock_current.from_fact_product_stock";

    private final DeltaWriter writer;

    StockCurrentWriter(DeltaWriter writer) {
        this.writer = writer;
    }

    /** @return the rows written; 0 when it had caught up already */
    synchronized long catchUp() {
        long through = writer.version(LakeTables.GOLD_FACT_PRODUCT_STOCK);
        OptionalLong from = writer.appliedVersion(LakeTables.GOLD_STOCK_CURRENT, STOCK_FEED);
        if (through < 0 || (from.isPresent() && from.getAsLong() >= through)) {
            return 0;
        }
        Dataset<Row> changes;
        try {
            changes = from.isPresent() ? writer.changes(LakeTables.GOLD_FACT_PRODUCT_STOCK, from.getAsLong(), through)
                    : writer.readAt(LakeTables.GOLD_FACT_PRODUCT_STOCK, through);
        } catch (RuntimeException feedGone) { // commits older than the feed keeps (VACUUM): the table as it is
            changes = writer.readAt(LakeTables.GOLD_FACT_PRODUCT_STOCK, through);
        }
        String[] columns = LakeTables.GOLD_STOCK_CURRENT.schema().fieldNames();
        Dataset<Row> held = writer.read(LakeTables.GOLD_STOCK_CURRENT);
        Dataset<Row> latest = StreamFacts.latestStock(held.unionByName(changes.selectExpr(columns)));
        return writer.replaceAll(LakeTables.GOLD_STOCK_CURRENT, latest, STOCK_FEED, through);
    }
}
