package dev.shoplake.lake;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The one place jobs write Delta tables: creating a table from its spec (columns, NOT NULL,
 * partitioning, CHECK constraints) and registering it by name, appends (idempotent when given a
 * transaction id), and MERGEs by key.
 */
public final class DeltaWriter {
    /** Per table path, the newest version {@link #version} saw: where its next look starts. */
    private static final Map<String, Long> VERSIONS_SEEN = new java.util.concurrent.ConcurrentHashMap<>();

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
            clearUncommittedLog(spec);
            DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark).location(path(spec))
                    .comment(spec.description())
                    // a change feed costs every update and delete a second file: only where one is read
                    .property("delta.enableChangeDataFeed", String.valueOf(LakeTables.keepsChangeFeed(spec)));
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

    /**
     * A writer killed while creating a table leaves a {@code _delta_log} without a commit: Delta's
     * {@code CREATE TABLE IF NOT EXISTS} then takes the table for existing and creates nothing, and
     * the rerun fails to read it. A log with no commit and no checkpoint holds nothing: it goes.
     */
    private void clearUncommittedLog(TableSpec spec) {
        try {
            org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(path(spec), "_delta_log");
            org.apache.hadoop.fs.FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(log) && java.util.Arrays.stream(fs.listStatus(log)).map(f -> f.getPath().getName())
                    .noneMatch(n -> n.matches("\\d{20}\\.(json|checkpoint.*)") || n.startsWith("_last_checkpoint"))) {
                fs.delete(log, true);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot look at the log of " + spec.qualifiedName(), e);
        }
    }

    /** Every write ends here: the table registered by name, and the fault suite's point after its commit. */
    private void committed(TableSpec spec) {
        LakeSession.registerOne(spark, spec, lakeRoot);
        FaultPoints.committed(spec);
    }

    /** Appends; new source columns are added to the table (schema drift lands, it does not crash). */
    public void append(TableSpec spec, Dataset<Row> rows) {
        append(spec, rows, null);
    }

    /**
     * {@link #append}, with {@code note} (unless null) as the commit's user metadata: what the table
     * holds after it, read back by its one writer with {@link #newestCommitNote} (the calendar's span).
     */
    public void append(TableSpec spec, Dataset<Row> rows, String note) {
        var write = rows.write().format("delta").mode("append").option("mergeSchema", "true");
        (note == null ? write : write.option("userMetadata", note)).save(path(spec));
        committed(spec);
    }

    /**
     * Appends at most once per (appId, version): a retry of a write that already committed is a
     * no-op, because Delta records the pair in the same commit as the data.
     */
    public void appendOnce(TableSpec spec, Dataset<Row> rows, String appId, long version) {
        if (!exists(spec) || !appendInTransaction(spec, rows, appId, version)) {
            // a new table, or new source columns: Delta's own writer creates or widens the table
            rows.write().format("delta").mode("append").option("txnAppId", appId).option("txnVersion", version)
                    .option("mergeSchema", "true").save(path(spec));
        }
        committed(spec);
    }

    /**
     * {@link #appendOnce} on a table whose columns the rows have, as one Delta transaction of our own:
     * the (appId, version) check reads the newest commit files, not the table's state. Delta's writer
     * option {@code txnVersion} reconstructs the whole state for the check after every commit (three
     * Spark jobs per micro-batch and table). The same guarantee: commits up to the version this
     * transaction read are checked here, later ones by Delta's conflict detection on {@code readTxn}.
     *
     * @return false when the rows' columns differ from the table's (nothing written)
     */
    private boolean appendInTransaction(TableSpec spec, Dataset<Row> rows, String appId, long version) {
        DeltaLog log = DeltaLog.forTable(spark, path(spec));
        OptimisticTransaction txn = log.startTransaction();
        StructType table = txn.metadata().schema();
        if (!sameColumns(table, rows.schema())) {
            return false;
        }
        OptionalLong applied = appliedVersion(log, txn.snapshot(), appId);
        if (applied.isPresent() && applied.getAsLong() >= version) {
            return true;
        }
        txn.readTxn().$plus$eq(appId); // a concurrent commit of the same appId fails this one
        Dataset<Row> data = rows.select(java.util.Arrays.stream(table.fieldNames()).map(functions::col).toArray(Column[]::new));
        java.util.List<Action> actions = new java.util.ArrayList<>(
                scala.jdk.javaapi.CollectionConverters.asJava(txn.writeFiles(data)));
        actions.add(new SetTransaction(appId, version, scala.Option.apply(System.currentTimeMillis())));
        scala.Option<Object> none = scala.Option.empty();
        txn.commit(scala.jdk.javaapi.CollectionConverters.asScala(actions).toList(), new DeltaOperations.Write(
                SaveMode.Append, scala.Option.empty(), scala.Option.empty(), scala.Option.empty(), none, none, none,
                scala.Option.empty(), scala.Option.empty()));
        return true;
    }

    /** Whether {@code rows} has the table's columns (any order), each of the table's type. */
    private static boolean sameColumns(StructType table, StructType rows) {
        if (table.size() != rows.size()) {
            return false;
        }
        for (StructField f : table.fields()) {
            scala.Option<Object> at = rows.getFieldIndex(f.name());
            if (at.isEmpty() || !rows.fields()[(Integer) at.get()].dataType().sameType(f.dataType())) {
                return false;
            }
        }
        return true;
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
        // one task: one file per partition a batch touches, not one per task per partition, and no
        // shuffle (a Spark job of its own) for a micro-batch bounded by maxOffsetsPerTrigger
        Dataset<Row> fresh = rows.join(present, sameKey, "left_anti").coalesce(1);
        appendOnce(spec, fresh, appId, version);
        return committedRows(spec, appId, version);
    }

    /**
     * A column of the target table, for a MERGE's {@code prune}: e.g.
     * {@code DeltaWriter.target("date_key").isin(days)}.
     */
    public static Column target(String column) {
        return functions.col("t." + column);
    }

    /** Every target row may be matched: the MERGE reads the whole target. */
    public static final Column WHOLE_TABLE = functions.lit(true);

    /**
     * Inserts the rows whose key is not in the table yet (MERGE, insert-only): a retry with any mix
     * of old and new rows adds each row once. {@code prune} limits the target rows the MERGE reads
     * (e.g. the partitions the batch can touch), written with {@link #target}.
     *
     * @return the rows inserted
     */
    public long insertNew(TableSpec spec, Dataset<Row> rows, Column prune) {
        ensure(spec);
        return merge(spec, rows, prune, null, null, true);
    }

    /**
     * Makes the table hold {@code rows} by key: new keys inserted, changed rows updated, unchanged
     * rows untouched, so a re-run with the same input changes nothing. The first write creates the
     * table and adds the spec's CHECK constraints. {@code prune} narrows the target rows read.
     *
     * @return rows inserted or changed
     */
    public long upsert(TableSpec spec, Dataset<Row> rows, Column prune) {
        if (spec.schema() != null && !conforms(spec, rows)) {
            rows = conform(spec, rows);
        }
        return upsertWhenChanged(spec, rows, prune, java.util.Arrays.asList(rows.columns()));
    }

    /**
     * As {@link #upsert}, but a row counts as changed only when one of {@code compared} differs
     * (e.g. not its landing time), and the source's columns are taken as they are (a table that
     * follows its source takes a new column: the session's schema auto-merge).
     */
    public long upsertWhenChanged(TableSpec spec, Dataset<Row> rows, Column prune, java.util.List<String> compared) {
        if (!exists(spec)) {
            return create(spec, rows);
        }
        Column changed = functions.lit(false);
        for (String c : compared) {
            changed = changed.or(functions.not(target(c).eqNullSafe(functions.col("s.`" + c + "`"))));
        }
        return merge(spec, rows, prune, changed, null, true);
    }

    /**
     * Replaces the row of every key in {@code rows} (inserting new keys), whether or not it
     * changed: silver, where the source rows are recomputed for the keys a landing touched.
     */
    public long replaceByKey(TableSpec spec, Dataset<Row> rows, Column prune) {
        if (!exists(spec)) {
            return create(spec, rows);
        }
        return merge(spec, rows, prune, functions.lit(true), null, true);
    }

    /**
     * Sets {@code columns} of the rows whose key is in {@code rows} (no insert): the stream's facts
     * when a late dimension arrives and their keys can be filled in.
     *
     * @return the rows updated
     */
    public long updateColumns(TableSpec spec, Dataset<Row> rows, Column prune, java.util.List<String> columns) {
        Map<String, Column> set = new java.util.LinkedHashMap<>();
        columns.forEach(c -> set.put(c, functions.col("s." + c)));
        return merge(spec, rows, prune, functions.lit(true), set, false);
    }

    /**
     * The one MERGE of the project, by the spec's keys within {@code prune}. Delta copies the source
     * once before it runs (its default): that copy is the source's one computation, and measured
     * cheaper than caching it here (433 Spark jobs and 86 s for a day against 403 and 57 s).
     *
     * @param whenMatched condition to update a matched row (null: matched rows are kept)
     * @param set         the columns a matched row takes (null: all of the source's)
     */
    private long merge(TableSpec spec, Dataset<Row> rows, Column prune, Column whenMatched, Map<String, Column> set,
                       boolean insert) {
        Column on = prune;
        for (String key : spec.keys()) {
            on = on.and(target(key).equalTo(functions.col("s." + key)));
        }
        io.delta.tables.DeltaMergeBuilder merge = DeltaTable.forPath(spark, path(spec)).as("t").merge(rows.as("s"), on);
        if (whenMatched != null) {
            merge = set == null ? merge.whenMatched(whenMatched).updateAll() : merge.whenMatched(whenMatched).update(set);
        }
        if (insert) {
            merge = merge.whenNotMatched().insertAll();
        }
        Row result = merge.execute().first();
        committed(spec);
        long changed = insert ? result.<Long>getAs("num_inserted_rows") : 0;
        return changed + (whenMatched == null ? 0 : result.<Long>getAs("num_updated_rows"));
    }

    /** The first write of a table: created from the spec when it has one, then the rows appended. */
    private long create(TableSpec spec, Dataset<Row> rows) {
        if (spec.schema() != null) {
            ensure(spec); // columns, NOT NULL, partitioning and CHECKs from the spec, then the first rows
        }
        // one file per partition rather than one per task per partition
        Column[] by = spec.partitionBy().stream().map(functions::col).toArray(Column[]::new);
        (by.length == 0 ? rows : rows.repartition(by)).write().format("delta").mode("append")
                .option("mergeSchema", "true").partitionBy(spec.partitionBy().toArray(String[]::new)).save(path(spec));
        long written = lastCommitChangedRows(spec);
        if (spec.schema() == null) {
            for (Map.Entry<String, String> check : spec.checks().entrySet()) {
                spark.sql("ALTER TABLE delta.`" + path(spec) + "` ADD CONSTRAINT " + check.getKey() + " CHECK ("
                        + check.getValue() + ")");
            }
        }
        committed(spec);
        return written;
    }

    /** Whether the rows have the spec's columns already, in its order and types (a conformed, cached batch). */
    static boolean conforms(TableSpec spec, Dataset<Row> rows) {
        StructField[] want = spec.schema().fields();
        StructField[] have = rows.schema().fields();
        if (want.length != have.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (!want[i].name().equals(have[i].name()) || !want[i].dataType().equals(have[i].dataType())) {
                return false;
            }
        }
        return true;
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

    /** Replaces the whole table with {@code rows}: a small table its one writer rewrites. */
    public void overwrite(TableSpec spec, Dataset<Row> rows) {
        conform(spec, rows).coalesce(1).write().format("delta").mode("overwrite").save(path(spec));
        committed(spec);
    }

    /**
     * {@link #overwrite}, with {@code note} as the commit's user metadata: what the rows say, in a
     * form its one writer reads back with {@link #newestCommitNote} from the log, without a Spark
     * job (ops.model_inputs). The rows stay for readers in SQL.
     */
    public void overwrite(TableSpec spec, Dataset<Row> rows, String note) {
        conform(spec, rows).coalesce(1).write().format("delta").mode("overwrite").option("userMetadata", note)
                .save(path(spec));
        committed(spec);
    }

    /**
     * The user metadata of the table's newest commit that changed its rows, read from the commits'
     * files in the log (no Spark job). Commits that change no rows (maintain's OPTIMIZE, a constraint,
     * a property) are passed over. Empty when there is no table, or that commit carries none (written
     * by something else since: a hand-made write), or none of the newest commits changed rows.
     */
    public java.util.Optional<String> newestCommitNote(TableSpec spec) {
        if (!exists(spec)) {
            return java.util.Optional.empty();
        }
        DeltaLog log = DeltaLog.forTable(spark, path(spec));
        long newest = log.update(false, scala.Option.empty(), scala.Option.empty()).version();
        for (long v = newest; v >= Math.max(0, newest - RECENT_COMMITS + 1); v--) {
            java.util.List<Object> actions = actions(log, v);
            if (actions.stream().noneMatch(a -> a instanceof org.apache.spark.sql.delta.actions.FileAction f && f.dataChange())) {
                continue;
            }
            for (Object action : actions) {
                if (action instanceof org.apache.spark.sql.delta.actions.CommitInfo info && info.userMetadata().isDefined()) {
                    return java.util.Optional.of(info.userMetadata().get());
                }
            }
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
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
        committed(spec);
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
        // one file per partition; the rows read the partitions they replace, from the version the write started at
        conform(spec, rows).repartition(functions.col(spec.partitionBy().get(0))).write().format("delta")
                .mode("overwrite").option("replaceWhere", partitionsIn(spec, partitionValues))
                .option("txnAppId", appId).option("txnVersion", version).save(path(spec));
        committed(spec);
        return committedRows(spec, appId, version);
    }

    /**
     * Upserts by key within the partitions {@code partitionValues} of the spec's one partition
     * column, by rewriting them: each ends up holding the rows given and its rows of other keys.
     * One overwrite instead of a MERGE (no copy of the source, no join to find the files touched),
     * for facts whose batch falls in a few partitions. The rows must lie in those partitions
     * (Delta checks it) and a key must not move between partitions (a fact's date never changes).
     * A table written before its spec was partitioned keeps its layout: Delta replaces the rows of
     * those days, rewriting the files that hold them.
     *
     * @return the rows the commit wrote: what the partitions hold now (on an unpartitioned table, with
     *     the other rows of the files it rewrote)
     */
    public long upsertPartitions(TableSpec spec, Dataset<Row> rows, java.util.List<?> partitionValues) {
        if (!exists(spec)) {
            return create(spec, rows);
        }
        if (spec.partitionBy().size() != 1) {
            throw new IllegalArgumentException(spec.qualifiedName() + " is not partitioned by one column");
        }
        Column[] keys = spec.keys().stream().map(functions::col).toArray(Column[]::new);
        Dataset<Row> fresh = conform(spec, rows);
        Dataset<Row> kept = read(spec).where(functions.col(spec.partitionBy().get(0)).isin(partitionValues.toArray()))
                .join(fresh.select(keys), scala.jdk.javaapi.CollectionConverters.asScala(spec.keys()).toSeq(), "left_anti");
        kept.unionByName(fresh).repartition(functions.col(spec.partitionBy().get(0))).write().format("delta")
                .mode("overwrite").option("replaceWhere", partitionsIn(spec, partitionValues)).save(path(spec));
        committed(spec);
        return lastCommitChangedRows(spec);
    }

    /** The one place a partition predicate is SQL text (Delta's replaceWhere takes no Column): {@code p IN (1, 2)}. */
    private static String partitionsIn(TableSpec spec, java.util.List<?> partitionValues) {
        StringBuilder where = new StringBuilder(spec.partitionBy().get(0)).append(" IN (");
        for (int i = 0; i < partitionValues.size(); i++) {
            where.append(i == 0 ? "" : ", ").append(((Number) partitionValues.get(i)).longValue());
        }
        return where.append(")").toString();
    }

    /**
     * The table's newest committed version, read from its log (no data is read); -1 when there is no
     * table. Asked every few hundred milliseconds by the dashboard and the stream, so after a first
     * answer from Delta it is the last version seen, moved on by looking for the commit files after
     * it: two file lookups a table, where Delta's own answer copies the Hadoop configuration three
     * times (an eighth of a live JVM's processor time, the dashboard's watch alone). Commits are
     * numbered without gaps and the newest is never cleaned up, so a last version whose commit file
     * is gone (the table deleted or created anew) is asked of Delta again.
     */
    public long version(TableSpec spec) {
        String table = path(spec);
        Long seen = VERSIONS_SEEN.get(table);
        try {
            org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(table, "_delta_log");
            org.apache.hadoop.fs.FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (seen != null && fs.exists(commitFile(log, seen))) {
                long v = seen;
                while (fs.exists(commitFile(log, v + 1))) {
                    v++;
                }
                VERSIONS_SEEN.put(table, v);
                return v;
            }
            if (!fs.exists(log)) {
                VERSIONS_SEEN.remove(table);
                return -1;
            }
        } catch (java.io.IOException e) {
            // the log could not be looked at as files: Delta answers
        }
        long v = exists(spec) ? snapshot(spec).version() : -1;
        if (v >= 0) {
            VERSIONS_SEEN.put(table, v);
        } else {
            VERSIONS_SEEN.remove(table);
        }
        return v;
    }

    private static org.apache.hadoop.fs.Path commitFile(org.apache.hadoop.fs.Path log, long version) {
        return new org.apache.hadoop.fs.Path(log, String.format("%020d.json", version));
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
        return appliedVersion(log, log.update(false, scala.Option.empty(), scala.Option.empty()), appId);
    }

    private static OptionalLong appliedVersion(DeltaLog log, Snapshot snapshot, String appId) {
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
