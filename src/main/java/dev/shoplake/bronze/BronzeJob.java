package dev.shoplake.bronze;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.ops.JobRun;
import org.apache.spark.sql.SparkSession;

/** Lands PostgreSQL and the FTP reports into bronze, and records the run in ops.job_runs. */
public final class BronzeJob {
    private BronzeJob() {
    }

    public record Result(JobRun run, SupportReportLanding.Outcome reports) {
    }

    /** Lands, and records the run (alone: a batch records its layers together, see {@link #land}). */
    public static Result run(SparkSession spark, LakehouseConfig config) {
        DeltaWriter writer = new DeltaWriter(spark, config.lakeRoot());
        JobRun run = new JobRun("bronze");
        Result result;
        try {
            result = land(spark, config, run);
        } catch (RuntimeException e) {
            throw run.recordFailure(spark, writer, e);
        }
        run.record(spark, writer);
        return result;
    }

    /** Lands PostgreSQL and the reports into bronze under {@code run}, without recording it. */
    public static Result land(SparkSession spark, LakehouseConfig config, JobRun run) {
        DeltaWriter writer = new DeltaWriter(spark, config.lakeRoot());
        new PostgresLanding(spark, writer, config.postgres()).run(run, config.batchParallelTables());
        SupportReportLanding.Outcome reports = new SupportReportLanding(spark, writer, config.ftp(),
                java.time.LocalDate.ofInstant(config.streaming().earliestEventTime(), java.time.ZoneOffset.UTC)).run(run);
        return new Result(run, reports);
    }
}
