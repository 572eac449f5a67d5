package dev.shoplake.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import dev.shoplake.lake.DeltaWriter;
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
 * successful run read through are in {@code ops.model_inputs} (read from its newest commit's
 * metadata, no Spark job); the versions now are read from the
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
    /** Every row of ops.model_inputs as the run started (all layers: a few dozen rows), rewritten whole at commit. */
    private final List<Row> recorded;

    private InputVersions(SparkSession spark, DeltaWriter writer, String layer, Map<String, Long> readThrough,
                          Map<String, Long> now, List<Row> recorded) {
        this.spark = spark;
        this.writer = writer;
        this.layer = layer;
        this.readThrough = readThrough;
        this.now = now;
        this.recorded = recorded;
    }

    /**
     * @param fullRefresh forget what was read: every input is read whole
     */
    public static InputVersions load(SparkSession spark, DeltaWriter writer, String layer, List<TableSpec> inputs,
                                     boolean fullRefresh) {
        Map<String, Long> readThrough = new LinkedHashMap<>();
        // one row per (layer, input table): a few dozen rows in all, from the newest commit's metadata
        List<Row> recorded = ModelInputsLedger.read(writer);
        if (!fullRefresh) {
            Instant vacuumable = Instant.now().minus(FEED_KEPT);
            for (Row r : recorded) {
                // read longer ago than VACUUM keeps removed files: the feed may point at files gone
                // (compacted into others), so that input is read whole once
                if (r.getString(0).equals(layer) && r.getTimestamp(4).toInstant().isAfter(vacuumable)) {
                    readThrough.put(r.getString(1), r.getLong(2));
                }
            }
        }
        Map<String, Long> now = new LinkedHashMap<>();
        for (TableSpec spec : inputs) {
            now.put(spec.qualifiedName(), writer.version(spec));
        }
        return new InputVersions(spark, writer, layer, readThrough, now, recorded);
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
        return once("appended", input, () -> appendedSince(input, read));
    }

    private Dataset<Row> appendedSince(TableSpec input, long read) {
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
        return once("changed", input, () -> changedSince(input, read));
    }

    /**
     * An input's change feed is read once per run, however many tables follow it (bronze.deleted_rows
     * feeds nine silver tables, silver.sales five gold ones): cached at its first use, dropped by
     * {@link #release}. Only the feed is cached (a run's change), never a table read whole.
     */
    private synchronized Dataset<Row> once(String kind, TableSpec input, java.util.function.Supplier<Dataset<Row>> read) {
        return feeds.computeIfAbsent(kind + " " + input.qualifiedName(),
                k -> read.get().persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK()));
    }

    private final Map<String, Dataset<Row>> feeds = new LinkedHashMap<>();

    /** Drops the cached change feeds: the layer's tables are written (or it failed). */
    public synchronized void release() {
        feeds.values().forEach(Dataset::unpersist);
        feeds.clear();
    }

    private Dataset<Row> changedSince(TableSpec input, long read) {
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

    /**
     * Records the versions this run read through, in one commit: the table (one row per layer and
     * input) is rewritten whole from the rows read at the start, which costs one write where a
     * MERGE would cost a pass of jobs, and the same rows ride in the commit's metadata for the next
     * run ({@link ModelInputsLedger}). Batch runs hold the run lock, so nothing else writes it between.
     */
    public void commit(String runId) {
        Map<String, Row> rows = new LinkedHashMap<>();
        recorded.forEach(r -> rows.put(r.getString(0) + "\u0000" + r.getString(1), r));
        Timestamp at = Timestamp.from(Instant.now());
        boolean moved = false;
        for (Map.Entry<String, Long> e : now.entrySet()) {
            Row before = rows.get(layer + "\u0000" + e.getKey());
            if (e.getValue() >= 0 && (before == null || before.getLong(2) != e.getValue()
                    || !e.getValue().equals(readThrough.get(e.getKey())))) {
                rows.put(layer + "\u0000" + e.getKey(), RowFactory.create(layer, e.getKey(), e.getValue(), runId, at));
                moved = true;
            }
        }
        if (!moved) {
            return;
        }
        ModelInputsLedger.write(spark, writer, new ArrayList<>(rows.values()));
    }
}
