package dev.shoplake.silver;

import static org.apache.spark.sql.functions.col;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.InputVersions;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableTasks;
import java.util.List;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Builds silver from bronze, incrementally: only the bronze commits silver has not read
 * ({@link InputVersions}) are read, and only the ids they touch are recomputed and MERGEd.
 */
public final class SilverJob {
    private final SparkSession spark;
    private final DeltaWriter writer;
    private final int parallelTables;

    public SilverJob(SparkSession spark, DeltaWriter writer, int parallelTables) {
        this.spark = spark;
        this.writer = writer;
        this.parallelTables = parallelTables;
    }

    public void run(JobRun run) {
        List<TableSpec> inputs = new java.util.ArrayList<>(LakeTables.BRONZE_POSTGRES.values());
        inputs.add(LakeTables.BRONZE_DELETED_ROWS);
        inputs.add(LakeTables.BRONZE_SUPPORT_TICKETS);
        InputVersions versions = InputVersions.load(spark, writer, "silver", inputs, false);
        // new source columns flow on from bronze into silver
        String autoMerge = "spark.databricks.delta.schema.autoMerge.enabled";
        String before = spark.conf().get(autoMerge, "false");
        spark.conf().set(autoMerge, "true");
        try {
            List<Runnable> tasks = new java.util.ArrayList<>();
            for (String table : LakeTables.POSTGRES_TABLES) {
                tasks.add(TableTasks.forTable(spark, LakeTables.SILVER_POSTGRES.get(table).qualifiedName(),
                        () -> conform(run, table, versions)));
            }
            tasks.add(TableTasks.forTable(spark, LakeTables.SILVER_SUPPORT_TICKETS.qualifiedName(),
                    () -> tickets(run, versions)));
            TableTasks.run(parallelTables, tasks);
            versions.commit(run.runId());
        } finally {
            versions.release();
            spark.conf().set(autoMerge, before);
        }
    }

    /**
     * Brings silver.{table} up to date with the bronze commits it has not read: the versions and
     * deletes landed since, combined with the silver rows of the ids they touch (the newest version
     * wins, a delete is kept), MERGEd by id over the range of ids touched.
     */
    private void conform(JobRun run, String table, InputVersions versions) {
        long started = System.currentTimeMillis();
        TableSpec bronze = LakeTables.BRONZE_POSTGRES.get(table);
        TableSpec silver = LakeTables.SILVER_POSTGRES.get(table);
        if (!versions.exists(bronze)) {
            run.add(new JobRun.TableResult(silver.qualifiedName(), "ok", 0, 0, 0, 0, "no bronze yet"));
            return;
        }
        boolean exists = writer.exists(silver);
        if (exists && !versions.moved(bronze, LakeTables.BRONZE_DELETED_ROWS)) {
            run.add(new JobRun.TableResult(silver.qualifiedName(), "ok", 0, 0, 0, System.currentTimeMillis() - started,
                    "inputs unchanged"));
            return;
        }
        Dataset<Row> newVersions = exists ? versions.appended(bronze) : versions.all(bronze);
        Dataset<Row> newDeletes = !versions.exists(LakeTables.BRONZE_DELETED_ROWS) ? noDeletes()
                : (exists ? versions.appended(LakeTables.BRONZE_DELETED_ROWS) : versions.all(LakeTables.BRONZE_DELETED_ROWS))
                        .where(col("table_name").equalTo(table));
        if (!exists) {
            long written = writer.replaceByKey(silver, CurrentVersions.current(newVersions, newDeletes),
                    DeltaWriter.WHOLE_TABLE);
            run.add(new JobRun.TableResult(silver.qualifiedName(), "ok", written, written, 0,
                    System.currentTimeMillis() - started, null));
            return;
        }
        Dataset<Row> touched = newVersions.select("id").union(newDeletes.select(col("row_id").as("id"))).distinct().cache();
        try {
            Row range = touched.agg(functions.count("*"), functions.min("id"), functions.max("id")).first();
            long changed = range.getLong(0);
            long written = 0;
            if (changed > 0) {
                // the range lets Delta skip the files of ids nobody touched (ids grow with time)
                Column ids = col("id").between(range.get(1), range.get(2));
                Dataset<Row> before = writer.read(silver).where(ids).join(touched, "id");
                written = writer.replaceByKey(silver, CurrentVersions.since(before, newVersions, newDeletes),
                        DeltaWriter.target("id").between(range.get(1), range.get(2)));
            }
            run.add(new JobRun.TableResult(silver.qualifiedName(), "ok", changed, written, 0,
                    System.currentTimeMillis() - started, null));
        } finally {
            touched.unpersist();
        }
    }

    private Dataset<Row> noDeletes() {
        return spark.emptyDataFrame().selectExpr("CAST(NULL AS INT) AS row_id", "CAST(NULL AS TIMESTAMP) AS deleted_at",
                "CAST(NULL AS TIMESTAMP) AS " + LakeTables.INGESTED_AT).where("false");
    }

    /**
     * Re-derives the lifecycles when a report landed (the 7-day rule needs every open ticket, and
     * "today" is the newest report's day), and only then.
     */
    private void tickets(JobRun run, InputVersions versions) {
        long started = System.currentTimeMillis();
        if (!versions.exists(LakeTables.BRONZE_SUPPORT_TICKETS)) {
            return;
        }
        if (writer.exists(LakeTables.SILVER_SUPPORT_TICKETS) && !versions.moved(LakeTables.BRONZE_SUPPORT_TICKETS)) {
            run.add(new JobRun.TableResult(LakeTables.SILVER_SUPPORT_TICKETS.qualifiedName(), "ok", 0, 0, 0,
                    System.currentTimeMillis() - started, "no report landed"));
            return;
        }
        Dataset<Row> bronze = versions.all(LakeTables.BRONZE_SUPPORT_TICKETS);
        Row landed = bronze.agg(functions.max("report_date"), functions.max(LakeTables.INGESTED_AT)).first();
        if (landed.isNullAt(0)) {
            return;
        }
        // the close rule needs "today": the day the reports have reached, never the clock
        LocalDate asOf = landed.getDate(0).toLocalDate();
        // a changed ticket is stamped with the landing of the report that changed it, for gold's watermark
        Dataset<Row> lifecycle = TicketLifecycle.lifecycle(TicketLifecycle.cleanReportLines(bronze), asOf)
                .withColumn(LakeTables.INGESTED_AT, functions.lit(landed.getTimestamp(1)));
        // a ticket changes with its lifecycle, not with the landing that re-derived it
        long written = writer.upsertWhenChanged(LakeTables.SILVER_SUPPORT_TICKETS, lifecycle, DeltaWriter.WHOLE_TABLE,
                List.of("status", "resolved_on", "closed_on", "resolved_after_close_on", "escalated", "last_reported_on",
                        "report_count"));
        run.add(new JobRun.TableResult(LakeTables.SILVER_SUPPORT_TICKETS.qualifiedName(), "ok", written, written, 0,
                System.currentTimeMillis() - started, "as of " + asOf));
    }
}
