package dev.shoplake.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one layer's run reads of its input tables, by Delta version. The versions the layer's last
 * successful run read through are in {@code ops.model_inputs}; the versions now are read from the
 * tables' logs when the run starts and fixed for the whole run, so commits landing meanwhile are
 * read whole by the next run. A run reads only the commits in between (the change data feed), and
 * a table whose inputs did not move is not visited at all. Nothing here scans a table to find
 * where to start.
 *
 * <p>Recorded only after every table of the layer is written: a failed run is simply done again,
 * and the layer's writes (upserts by key) make the repeat harmless.
 */
public final class InputVersions {
    private static final Logger LOG = LoggerFactory.getLogger(InputVersions.class);

    /**
     * How long the change feed of a version stays readable: VACUUM (maintain) never deletes files
     * removed less than 7 days ago, Delta's default retention and maintain's minimum.
     */
    static final java.time.Duration FEED_KEPT = java.time.Duration.ofDays(7);

    private final SparkSession spark;
    private final DeltaWriter writer;
    private final String layer;
    private final Map<String, Long> readThrough;
    private final Map<String, Long> now;

    private InputVersions(SparkSession spark, DeltaWriter writer, String layer, Map<String, Long> readThrough,
                          Map<String, Long> now) {
        this.spark = spark;
        this.writer = writer;
        this.layer = layer;
        this.readThrough = readThrough;
        this.now = now;
    }

    /**
     * @param fullRefresh forget what was read: every input is read whole
     */
    public static InputVersions load(SparkSession spark, DeltaWriter writer, String layer, List<TableSpec> inputs,
                                     boolean fullRefresh) {
        Map<String, Long> readThrough = new LinkedHashMap<>();
        if (!fullRefresh && writer.exists(LakeTables.OPS_MODEL_INPUTS)) {
            // one row per (layer, input table): a few dozen rows
            Instant vacuumable = Instant.now().minus(FEED_KEPT);
            for (Row r : writer.read(LakeTables.OPS_MODEL_INPUTS).where(col("layer").equalTo(layer))
                    .select("input_table", "input_version", "recorded_at").collectAsList()) {
                // read longer ago than VACUUM keeps removed files: the feed may point at files gone
                // (compacted into others), so that input is read whole once
                if (r.getTimestamp(2).toInstant().isAfter(vacuumable)) {
                    readThrough.put(r.getString(0), r.getLong(1));
                }
            }
        }
        Map<String, Long> now = new LinkedHashMap<>();
        for (TableSpec spec : inputs) {
            now.put(spec.qualifiedName(), writer.version(spec));
        }
        return new InputVersions(spark, writer, layer, readThrough, now);
    }

    /** Whether any of these inputs has a commit the layer has not read (or was never read). */
    public boolean moved(TableSpec... inputs) {
        for (TableSpec spec : inputs) {
            long current = now.getOrDefault(spec.qualifiedName(), -1L);
            Long read = readThrough.get(spec.qualifiedName());
            if (current >= 0 && (read == null || read < current)) {
                return true;
            }
        }
        return false;
    }

    public boolean exists(TableSpec input) {
        return now.getOrDefault(input.qualifiedName(), -1L) >= 0;
    }

    /** The input as of the version fixed at the start of the run. */
    public Dataset<Row> all(TableSpec input) {
        return writer.readAt(input, versionNow(input));
    }

    /**
     * Every row committed to an append-only input since the layer last read it (all of it the first
     * time, or when its change feed does not reach back that far).
     */
    public Dataset<Row> appended(TableSpec input) {
        Long read = readThrough.get(input.qualifiedName());
        if (read == null) {
            return all(input);
        }
        try {
            Dataset<Row> changes = writer.changes(input, read, versionNow(input));
            changes.schema(); // the feed's range is checked here, not at the first action
            return changes.drop(DeltaWriter.COMMIT_VERSION);
        } catch (Exception e) { // Spark's AnalysisException is checked, unknown to javac
            LOG.warn("{}: no change data feed after version {} ({}); reading the table whole", input.qualifiedName(),
                    read, e.getMessage());
            return all(input);
        }
    }

    /**
     * The current row of every key of a keyed input (silver) that changed since the layer last read
     * it: the newest post-image per key of the feed, or the whole table the first time.
     */
    public Dataset<Row> changed(TableSpec input) {
        Long read = readThrough.get(input.qualifiedName());
        if (read == null) {
            return all(input);
        }
        try {
            Dataset<Row> changes = writer.changes(input, read, versionNow(input));
            changes.schema();
            var newestFirst = Window.partitionBy(input.keys().stream().map(org.apache.spark.sql.functions::col)
                    .toArray(org.apache.spark.sql.Column[]::new)).orderBy(col(DeltaWriter.COMMIT_VERSION).desc());
            return changes.withColumn("_newest", row_number().over(newestFirst)).where(col("_newest").equalTo(1))
                    .drop("_newest", DeltaWriter.COMMIT_VERSION);
        } catch (Exception e) {
            LOG.warn("{}: no change data feed after version {} ({}); reading the table whole", input.qualifiedName(),
                    read, e.getMessage());
            return all(input);
        }
    }

    private long versionNow(TableSpec input) {
        Long v = now.get(input.qualifiedName());
        if (v == null || v < 0) {
            throw new IllegalStateException(input.qualifiedName() + " is not an input of this " + layer + " run");
        }
        return v;
    }

    /** Records the versions this run read through, in one commit. */
    public void commit(String runId) {
        List<Row> rows = new ArrayList<>();
        Timestamp at = Timestamp.from(Instant.now());
        now.forEach((table, version) -> {
            if (version >= 0 && !version.equals(readThrough.get(table))) {
                rows.add(RowFactory.create(layer, table, version, runId, at));
            }
        });
        if (rows.isEmpty()) {
            return;
        }
        writer.ensure(LakeTables.OPS_MODEL_INPUTS);
        writer.upsert(LakeTables.OPS_MODEL_INPUTS, spark.createDataFrame(rows, LakeTables.OPS_MODEL_INPUTS.schema()),
                DeltaWriter.target("layer").equalTo(layer));
    }
}
