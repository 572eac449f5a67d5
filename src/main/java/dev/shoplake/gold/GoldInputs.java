package dev.shoplake.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * What a gold run reads from silver: for each silver table, the rows whose {@code _ingested_at}
 * is after the last committed gold run ({@code ops.gold_watermarks}) and not after the newest one
 * seen when this run started. The bounds are fixed at the start so a silver run landing meanwhile
 * is read whole by the next gold run. Committed only after every gold table is written: a failed
 * run is simply done again, and the upserts make the repeat harmless.
 */
final class GoldInputs {
    private final SparkSession spark;
    private final DeltaWriter writer;
    private final Map<String, Timestamp> after;
    private final Map<String, Timestamp> through;

    private GoldInputs(SparkSession spark, DeltaWriter writer, Map<String, Timestamp> after,
                       Map<String, Timestamp> through) {
        this.spark = spark;
        this.writer = writer;
        this.after = after;
        this.through = through;
    }

    /** Reads both bounds: two small queries, one row per silver table each. */
    static GoldInputs load(SparkSession spark, DeltaWriter writer, boolean fullRefresh) {
        Map<String, Timestamp> after = new HashMap<>();
        if (!fullRefresh && writer.exists(LakeTables.OPS_GOLD_WATERMARKS)) {
            for (Row r : writer.read(LakeTables.OPS_GOLD_WATERMARKS).collectAsList()) {
                after.put(r.getString(0), r.getTimestamp(1));
            }
        }
        Dataset<Row> newest = null;
        for (TableSpec spec : sources(writer)) {
            Dataset<Row> one = writer.read(spec).agg(max(LakeTables.INGESTED_AT).as("through"))
                    .select(lit(spec.qualifiedName()).as("source_table"), col("through"));
            newest = newest == null ? one : newest.union(one);
        }
        Map<String, Timestamp> through = new HashMap<>();
        for (Row r : newest.collectAsList()) {
            through.put(r.getString(0), r.getTimestamp(1));
        }
        return new GoldInputs(spark, writer, after, through);
    }

    /** silver.{table} rows landed since the last gold run. */
    Dataset<Row> changed(String table) {
        return changed(LakeTables.SILVER_POSTGRES.get(table));
    }

    Dataset<Row> changedTickets() {
        return changed(LakeTables.SILVER_SUPPORT_TICKETS);
    }

    private Dataset<Row> changed(TableSpec spec) {
        Timestamp upper = through.get(spec.qualifiedName());
        Timestamp lower = after.get(spec.qualifiedName());
        Column landed = col(LakeTables.INGESTED_AT);
        Column window = upper == null ? lit(false) : landed.leq(lit(upper));
        if (lower != null) {
            window = window.and(landed.gt(lit(lower)));
        }
        return writer.read(spec).where(window);
    }

    /** Records how far this run read, in one commit. */
    void commit(String runId) {
        List<Row> rows = new ArrayList<>();
        through.forEach((table, ts) -> rows.add(RowFactory.create(table, ts != null ? ts : after.get(table), runId)));
        writer.ensure(LakeTables.OPS_GOLD_WATERMARKS);
        writer.upsert(LakeTables.OPS_GOLD_WATERMARKS,
                spark.createDataFrame(rows, LakeTables.OPS_GOLD_WATERMARKS.schema()), "true");
    }

    private static List<TableSpec> sources(DeltaWriter writer) {
        List<TableSpec> out = new ArrayList<>();
        for (String t : LakeTables.POSTGRES_TABLES) {
            if (writer.exists(LakeTables.SILVER_POSTGRES.get(t))) {
                out.add(LakeTables.SILVER_POSTGRES.get(t));
            }
        }
        if (writer.exists(LakeTables.SILVER_SUPPORT_TICKETS)) {
            out.add(LakeTables.SILVER_SUPPORT_TICKETS);
        }
        return out;
    }
}
