package dev.shoplake.lake;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;

/**
 * The one place jobs write Delta tables: creating a table from its spec (columns, NOT NULL,
 * partitioning, CHECK constraints) and registering it by name, appends (idempotent when given a
 * transaction id), and MERGEs by key.
 */
public final class DeltaWriter {
    private final SparkSession spark;
    private final String lakeRoot;

    public DeltaWriter(SparkSession spark, String lakeRoot) {
        this.spark = spark;
        this.lakeRoot = lakeRoot;
    }

    public String lakeRoot() {
        return lakeRoot;
    }

    public String path(TableSpec spec) {
        return spec.path(lakeRoot);
    }

    /** Creates the table from its spec if it does not exist yet, and registers it. */
    public void ensure(TableSpec spec) {
        if (spec.schema() == null) {
            throw new IllegalArgumentException(spec.qualifiedName() + " follows its source: it is created by its first append");
        }
        if (!DeltaTable.isDeltaTable(spark, path(spec))) {
            DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark).location(path(spec))
                    .comment(spec.description());
            for (StructField f : spec.schema().fields()) {
                builder = builder.addColumn(f);
            }
            if (!spec.partitionBy().isEmpty()) {
                builder = builder.partitionedBy(spec.partitionBy().toArray(String[]::new));
            }
            builder.execute();
            for (Map.Entry<String, String> check : spec.checks().entrySet()) {
                spark.sql("ALTER TABLE delta.`" + path(spec) + "` ADD CONSTRAINT " + check.getKey() + " CHECK ("
                        + check.getValue() + ")");
            }
        }
        LakeSession.registerOne(spark, spec, lakeRoot);
    }

    /** Appends; new source columns are added to the table (schema drift lands, it does not crash). */
    public void append(TableSpec spec, Dataset<Row> rows) {
        rows.write().format("delta").mode("append").option("mergeSchema", "true").save(path(spec));
        LakeSession.registerOne(spark, spec, lakeRoot);
    }

    /**
     * Appends at most once per (appId, version): a retry of a write that already committed is a
     * no-op, because Delta records the pair in the same commit as the data.
     */
    public void appendOnce(TableSpec spec, Dataset<Row> rows, String appId, long version) {
        rows.write().format("delta").mode("append").option("txnAppId", appId).option("txnVersion", version)
                .option("mergeSchema", "true").save(path(spec));
        LakeSession.registerOne(spark, spec, lakeRoot);
    }

    /**
     * Appends the rows whose key is not in the table yet, at most once per (appId, version): the
     * stream's facts, where a replayed micro-batch is skipped by Delta's transaction id and a
     * message sent twice by the key. Cheaper than {@link #insertNew}'s MERGE (one scan of the
     * {@code pruning} rows' keys and one append, no rewrite). The table has one writer (the stream).
     *
     * @return the rows appended; 0 when this version was applied already
     */
    public long appendNew(TableSpec spec, Dataset<Row> rows, Column pruning, String appId, long version) {
        OptionalLong applied = appliedVersion(spec, appId);
        if (applied.isPresent() && applied.getAsLong() >= version) {
            return 0;
        }
        Column[] keys = spec.keys().stream().map(functions::col).toArray(Column[]::new);
        Dataset<Row> present = read(spec).where(pruning).select(keys);
        Column sameKey = functions.lit(true);
        for (String key : spec.keys()) {
            sameKey = sameKey.and(rows.col(key).equalTo(present.col(key)));
        }
        Dataset<Row> fresh = rows.join(present, sameKey, "left_anti");
        Column[] by = spec.partitionBy().stream().map(functions::col).toArray(Column[]::new);
        // one file per partition a batch touches, not one per task per partition
        appendOnce(spec, by.length == 0 ? fresh : fresh.repartition(by), appId, version);
        return committedRows(spec, appId, version);
    }

    /**
     * Inserts the rows whose key is not in the table yet (MERGE, insert-only): a retry with any mix
     * of old and new rows adds each row once. {@code pruning} limits the target rows the MERGE reads
     * (e.g. the partitions the batch can touch); "true" when nothing narrower is known.
     *
     * @return the rows inserted
     */
    public long insertNew(TableSpec spec, Dataset<Row> rows, String pruning) {
        ensure(spec);
        StringBuilder on = new StringBuilder("(" + pruning.replace("{t}", "t") + ")");
        for (String key : spec.keys()) {
            on.append(" AND t.").append(key).append(" = s.").append(key);
        }
        Row result = DeltaTable.forPath(spark, path(spec)).as("t").merge(rows.as("s"), on.toString())
                .whenNotMatched().insertAll()
                .execute().first();
        return result.<Long>getAs("num_inserted_rows");
    }

    /**
     * Makes the table hold {@code rows} by key: new keys inserted, changed rows updated, unchanged
     * rows untouched, so a re-run with the same input changes nothing. The first write creates the
     * table and adds the spec's CHECK constraints. {@code pruning} narrows the target rows read.
     *
     * @return rows inserted or changed
     */
    public long upsert(TableSpec spec, Dataset<Row> rows, String pruning) {
        if (spec.schema() != null) {
            rows = conform(spec, rows);
        }
        if (!exists(spec)) {
            if (spec.schema() != null) {
                ensure(spec); // columns, NOT NULL, partitioning and CHECKs from the spec, then the first rows
            }
            // one file per partition rather than one per task per partition
            Column[] by = spec.partitionBy().stream().map(functions::col).toArray(Column[]::new);
            (by.length == 0 ? rows : rows.repartition(by)).write().format("delta")
                    .mode("append").partitionBy(spec.partitionBy().toArray(String[]::new)).save(path(spec));
            long written = lastCommitChangedRows(spec);
            if (spec.schema() == null) {
                for (Map.Entry<String, String> check : spec.checks().entrySet()) {
                    spark.sql("ALTER TABLE delta.`" + path(spec) + "` ADD CONSTRAINT " + check.getKey() + " CHECK ("
                            + check.getValue() + ")");
                }
            }
            LakeSession.registerOne(spark, spec, lakeRoot);
            return written;
        }
        StringBuilder on = new StringBuilder("(" + pruning.replace("{t}", "t") + ")");
        for (String key : spec.keys()) {
            on.append(" AND t.").append(key).append(" = s.").append(key);
        }
        StringBuilder changed = new StringBuilder();
        for (String c : rows.columns()) {
            changed.append(changed.length() == 0 ? "NOT (" : " AND ").append("t.`").append(c).append("` <=> s.`")
                    .append(c).append("`");
        }
        changed.append(")");
        Row result = DeltaTable.forPath(spark, path(spec)).as("t").merge(rows.as("s"), on.toString())
                .whenMatched(changed.toString()).updateAll()
                .whenNotMatched().insertAll()
                .execute().first();
        LakeSession.registerOne(spark, spec, lakeRoot);
        return result.<Long>getAs("num_inserted_rows") + result.<Long>getAs("num_updated_rows");
    }

    /** The spec's columns, in its order and types: a model that drifts from its table fails here, by name. */
    public static Dataset<Row> conform(TableSpec spec, Dataset<Row> rows) {
        Column[] columns = new Column[spec.schema().fields().length];
        for (int i = 0; i < columns.length; i++) {
            StructField f = spec.schema().fields()[i];
            columns[i] = rows.col(f.name()).cast(f.dataType()).as(f.name());
        }
        return rows.select(columns);
    }

    /**
     * Rows the table's latest commit added or changed (a MERGE's inserts + updates, a write's output
     * rows), read from that commit's file in the log: no Spark job.
     */
    public long lastCommitChangedRows(TableSpec spec) {
        DeltaLog log = DeltaLog.forTable(spark, path(spec));
        long newest = log.update(false, scala.Option.empty(), scala.Option.empty()).version();
        return changedRows(log, newest);
    }

    /**
     * Rows the commit that carried (appId, version) wrote, from the newest commits' files: the
     * stream's writes may be followed at once by Delta's own compaction commit. 0 when none of the
     * newest commits carries it (a replay that Delta skipped).
     */
    public long committedRows(TableSpec spec, String appId, long version) {
        DeltaLog log = DeltaLog.forTable(spark, path(spec));
        long newest = log.update(false, scala.Option.empty(), scala.Option.empty()).version();
        for (long v = newest; v >= Math.max(0, newest - RECENT_COMMITS + 1); v--) {
            for (Object action : actions(log, v)) {
                if (action instanceof SetTransaction t && t.appId().equals(appId)) {
                    return t.version() == version ? changedRows(log, v) : 0;
                }
            }
        }
        return 0;
    }

    private static long changedRows(DeltaLog log, long version) {
        for (Object action : actions(log, version)) {
            if (action instanceof org.apache.spark.sql.delta.actions.CommitInfo info && info.operationMetrics().isDefined()) {
                scala.collection.immutable.Map<String, String> m = info.operationMetrics().get();
                if (m.contains("numTargetRowsInserted")) {
                    return Long.parseLong(m.apply("numTargetRowsInserted")) + Long.parseLong(m.apply("numTargetRowsUpdated"));
                }
                return Long.parseLong(m.get("numOutputRows").getOrElse(() -> "0"));
            }
        }
        return 0;
    }

    /** The actions of one commit, read from its file in the log. */
    private static java.util.List<Object> actions(DeltaLog log, long version) {
        java.util.List<Object> out = new java.util.ArrayList<>();
        var commit = log.getChanges(version, version, scala.Option.empty(), true);
        while (commit.hasNext()) {
            var actions = commit.next()._2().iterator();
            while (actions.hasNext()) {
                out.add(actions.next());
            }
        }
        return out;
    }

    /**
     * Replaces the whole table with {@code rows}, at most once per (appId, version): a small table
     * derived from another one (gold.stock_current from the stock facts), where the version says
     * how far into its source it has read. The rows may read the table itself (the version the
     * write started at).
     *
     * @return the rows written; 0 when this version was applied already
     */
    public long replaceAll(TableSpec spec, Dataset<Row> rows, String appId, long version) {
        OptionalLong applied = appliedVersion(spec, appId);
        if (applied.isPresent() && applied.getAsLong() >= version) {
            return 0;
        }
        conform(spec, rows).coalesce(1).write().format("delta").mode("overwrite")
                .option("txnAppId", appId).option("txnVersion", version).save(path(spec));
        return committedRows(spec, appId, version);
    }

    /**
     * Replaces the partitions {@code partitionValues} of the spec's one partition column with
     * {@code rows}, at most once per (appId, version): the stream's live minutes, where a replayed
     * micro-batch must not add its counts twice. Other partitions are not read or touched.
     *
     * @return the rows written; 0 when this version was applied already
     */
    public long replacePartitions(TableSpec spec, Dataset<Row> rows, java.util.List<Integer> partitionValues,
                                  String appId, long version) {
        if (spec.partitionBy().size() != 1) {
            throw new IllegalArgumentException(spec.qualifiedName() + " is not partitioned by one column");
        }
        OptionalLong applied = appliedVersion(spec, appId);
        if (applied.isPresent() && applied.getAsLong() >= version) {
            return 0;
        }
        StringBuilder where = new StringBuilder(spec.partitionBy().get(0)).append(" IN (");
        for (int i = 0; i < partitionValues.size(); i++) {
            where.append(i == 0 ? "" : ", ").append(partitionValues.get(i).intValue());
        }
        // one file per partition; the rows read the partitions they replace, from the version the write started at
        conform(spec, rows).repartition(functions.col(spec.partitionBy().get(0))).write().format("delta")
                .mode("overwrite").option("replaceWhere", where.append(")").toString())
                .option("txnAppId", appId).option("txnVersion", version).save(path(spec));
        return committedRows(spec, appId, version);
    }

    /** The table's newest committed version, read from its log (no data is read); -1 when there is no table. */
    public long version(TableSpec spec) {
        if (!exists(spec)) {
            return -1;
        }
        return snapshot(spec).version();
    }

    /**
     * The highest {@code txnVersion} appended under {@code appId} ({@link #appendOnce}), from the
     * table's log: a watermark stored in the same commit as the rows it covers. The newest commits
     * are read first, as files (the landing that set it is nearly always the last one); only when
     * they do not hold it is the table's state reconstructed, which costs a Spark job.
     */
    public OptionalLong appliedVersion(TableSpec spec, String appId) {
        if (!exists(spec)) {
            return OptionalLong.empty();
        }
        DeltaLog log = DeltaLog.forTable(spark, path(spec));
        Snapshot snapshot = log.update(false, scala.Option.empty(), scala.Option.empty());
        long newest = snapshot.version();
        for (long v = newest; v >= Math.max(0, newest - RECENT_COMMITS + 1); v--) {
            try {
                for (Object action : actions(log, v)) {
                    if (action instanceof SetTransaction t && t.appId().equals(appId)) {
                        return OptionalLong.of(t.version());
                    }
                }
            } catch (RuntimeException cleanedUp) {
                break; // an old commit file removed after a checkpoint: the snapshot knows
            }
        }
        scala.Option<Object> v = snapshot.transactions().get(appId);
        return v.isDefined() ? OptionalLong.of((Long) v.get()) : OptionalLong.empty();
    }

    /** How many of the newest commit files {@link #appliedVersion} reads before asking the snapshot. */
    private static final int RECENT_COMMITS = 5;

    /** The table's live data files, from its log. */
    public long fileCount(TableSpec spec) {
        return snapshot(spec).numOfFiles();
    }

    private Snapshot snapshot(TableSpec spec) {
        return DeltaLog.forTable(spark, path(spec)).update(false, scala.Option.empty(), scala.Option.empty());
    }

    /** The table as of a version: what a run fixed at its start, whatever commits meanwhile. */
    public Dataset<Row> readAt(TableSpec spec, long version) {
        return spark.read().format("delta").option("versionAsOf", version).load(path(spec));
    }

    /**
     * Rows inserted or updated by the commits after {@code afterVersion} through {@code throughVersion}
     * (Delta's change data feed: the post-images, with {@code _commit_version}). Empty when no
     * commit is in between. Fails when the feed was not on for those commits.
     */
    public Dataset<Row> changes(TableSpec spec, long afterVersion, long throughVersion) {
        if (throughVersion <= afterVersion) {
            return readAt(spec, throughVersion).where("false").withColumn(COMMIT_VERSION, functions.lit(0L));
        }
        Dataset<Row> feed = spark.read().format("delta").option("readChangeFeed", "true")
                .option("startingVersion", afterVersion + 1).option("endingVersion", throughVersion).load(path(spec));
        return feed.where(functions.col("_change_type").isin("insert", "update_postimage"))
                .drop("_change_type", "_commit_timestamp");
    }

    /** The change data feed's column saying which commit a change came from. */
    public static final String COMMIT_VERSION = "_commit_version";

    public Dataset<Row> read(TableSpec spec) {
        return spark.read().format("delta").load(path(spec));
    }

    public boolean exists(TableSpec spec) {
        return DeltaTable.isDeltaTable(spark, path(spec));
    }
}
