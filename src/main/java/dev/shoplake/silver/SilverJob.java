package dev.shoplake.silver;

import static org.apache.spark.sql.functions.col;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableTasks;
import java.util.List;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Builds silver from bronze, incrementally: only ids with a version or a delete landed after the
 * silver table's own watermark (its newest {@code _ingested_at}) are recomputed and MERGEd.
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
        // new source columns flow on from bronze into silver
        String autoMerge = "spark.databricks.delta.schema.autoMerge.enabled";
        String before = spark.conf().get(autoMerge, "false");
        spark.conf().set(autoMerge, "true");
        try {
            List<Runnable> tasks = new java.util.ArrayList<>();
            for (String table : LakeTables.POSTGRES_TABLES) {
                tasks.add(() -> conform(run, table));
            }
            tasks.add(() -> tickets(run));
            TableTasks.run(parallelTables, tasks);
        } finally {
            spark.conf().set(autoMerge, before);
        }
    }

    private void conform(JobRun run, String table) {
        long started = System.currentTimeMillis();
        TableSpec bronze = LakeTables.BRONZE_POSTGRES.get(table);
        TableSpec silver = LakeTables.SILVER_POSTGRES.get(table);
        if (!writer.exists(bronze)) {
            run.add(new JobRun.TableResult(silver.qualifiedName(), "ok", 0, 0, 0, 0, "no bronze yet"));
            return;
        }
        Dataset<Row> versions = writer.read(bronze);
        Dataset<Row> deletes = writer.exists(LakeTables.BRONZE_DELETED_ROWS)
                ? writer.read(LakeTables.BRONZE_DELETED_ROWS).where(col("table_name").equalTo(table))
                : spark.emptyDataFrame().selectExpr("CAST(NULL AS INT) AS row_id", "CAST(NULL AS TIMESTAMP) AS deleted_at",
                        "CAST(NULL AS TIMESTAMP) AS " + LakeTables.INGESTED_AT).where("false");
        boolean exists = writer.exists(silver);
        if (exists) {
            Object watermark = writer.read(silver).agg(functions.max(LakeTables.INGESTED_AT)).first().get(0);
            Dataset<Row> changedIds = versions.where(col(LakeTables.INGESTED_AT).gt(functions.lit(watermark))).select("id")
                    .union(deletes.where(col(LakeTables.INGESTED_AT).gt(functions.lit(watermark)))
                            .select(col("row_id").as("id")))
                    .distinct();
            versions = versions.join(changedIds, "id");
            deletes = deletes.join(changedIds.withColumnRenamed("id", "row_id"), "row_id");
        }
        Dataset<Row> current = CurrentVersions.current(versions, deletes).cache();
        try {
            long changed = current.count();
            if (!exists) {
                writer.append(silver, current);
            } else if (changed > 0) {
                DeltaTable.forPath(spark, writer.path(silver)).as("t")
                        .merge(current.as("s"), "t.id = s.id")
                        .whenMatched().updateAll()
                        .whenNotMatched().insertAll()
                        .execute();
            }
            run.add(new JobRun.TableResult(silver.qualifiedName(), "ok", changed, changed, 0,
                    System.currentTimeMillis() - started, null));
        } finally {
            current.unpersist();
        }
    }

    private void tickets(JobRun run) {
        long started = System.currentTimeMillis();
        if (!writer.exists(LakeTables.BRONZE_SUPPORT_TICKETS)) {
            return;
        }
        Dataset<Row> bronze = writer.read(LakeTables.BRONZE_SUPPORT_TICKETS);
        Row landed = bronze.agg(functions.max("report_date"), functions.max(LakeTables.INGESTED_AT)).first();
        if (landed.isNullAt(0)) {
            return;
        }
        // the close rule needs "today": the day the reports have reached, never the clock
        LocalDate asOf = landed.getDate(0).toLocalDate();
        // a changed ticket is stamped with the landing of the report that changed it, for gold's watermark
        Dataset<Row> lifecycle = TicketLifecycle.lifecycle(TicketLifecycle.cleanReportLines(bronze), asOf)
                .withColumn(LakeTables.INGESTED_AT, functions.lit(landed.getTimestamp(1)));
        writer.ensure(LakeTables.SILVER_SUPPORT_TICKETS);
        DeltaTable.forPath(spark, writer.path(LakeTables.SILVER_SUPPORT_TICKETS)).as("t")
                .merge(lifecycle.as("s"), "t.ticket_id = s.ticket_id")
                .whenMatched("NOT (t.status <=> s.status AND t.resolved_on <=> s.resolved_on AND t.closed_on <=> s.closed_on "
                        + "AND t.resolved_after_close_on <=> s.resolved_after_close_on AND t.escalated <=> s.escalated "
                        + "AND t.last_reported_on <=> s.last_reported_on AND t.report_count <=> s.report_count)")
                .updateAll()
                .whenNotMatched().insertAll()
                .execute();
        long tickets = writer.read(LakeTables.SILVER_SUPPORT_TICKETS).count();
        run.add(new JobRun.TableResult(LakeTables.SILVER_SUPPORT_TICKETS.qualifiedName(), "ok", tickets, tickets, 0,
                System.currentTimeMillis() - started, "as of " + asOf));
    }
}
