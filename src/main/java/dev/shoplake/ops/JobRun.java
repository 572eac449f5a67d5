package dev.shoplake.ops;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One run of a batch job: an id for lineage, and per table what it read, wrote and quarantined. */
public final class JobRun {
    private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);

    public record TableResult(String table, String status, long rowsRead, long rowsWritten, long rowsQuarantined,
                              long durationMs, String message) {
        public String summary() {
            return String.format("%-38s %-6s read %,10d  written %,10d  quarantined %,6d  %,7d ms%s", table, status,
                    rowsRead, rowsWritten, rowsQuarantined, durationMs, message == null ? "" : "  " + message);
        }
    }

    private final String runId = UUID.randomUUID().toString();
    private final String job;
    private final Instant startedAt = Instant.now();
    private final List<TableResult> results = new ArrayList<>();

    public String job() {
        return job;
    }

    public JobRun(String job) {
        this.job = job;
    }

    public String runId() {
        return runId;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public synchronized List<TableResult> results() {
        return List.copyOf(results);
    }

    public synchronized void add(TableResult result) {
        results.add(result);
        LOG.info("{} {}", job, result.summary());
    }

    public long elapsedMs() {
        return Duration.between(startedAt, Instant.now()).toMillis();
    }

    /**
     * Records the run as failed with {@code e}'s message (a failed run is in the audit too), and
     * returns {@code e} to rethrow; an audit that cannot be written is added to it as suppressed.
     */
    public RuntimeException recordFailure(SparkSession spark, DeltaWriter writer, RuntimeException e) {
        return recordFailure(spark, writer, List.of(), this, e);
    }

    /** Appends this run's rows to ops.job_runs. */
    public void record(SparkSession spark, DeltaWriter writer) {
        recordAll(spark, writer, List.of(this));
    }

    /** Appends the rows of several runs (a batch's layers) to ops.job_runs in one commit. */
    public static void recordAll(SparkSession spark, DeltaWriter writer, List<JobRun> runs) {
        writer.ensure(LakeTables.OPS_JOB_RUNS);
        List<Row> rows = new ArrayList<>();
        for (JobRun run : runs) {
            for (TableResult r : run.results()) {
                rows.add(RowFactory.create(run.runId, run.job, r.table(), r.status(), r.rowsRead(), r.rowsWritten(),
                        r.rowsQuarantined(), Timestamp.from(run.startedAt), r.durationMs(), r.message()));
            }
        }
        // a plain append: each run id is new, and a retried process makes new ones
        writer.append(LakeTables.OPS_JOB_RUNS, spark.createDataFrame(rows, LakeTables.OPS_JOB_RUNS.schema()));
    }

    /**
     * Records {@code failed} as failed with {@code e}'s message, with the runs before it in the same
     * process, in one commit; returns {@code e} to rethrow.
     */
    public static RuntimeException recordFailure(SparkSession spark, DeltaWriter writer, List<JobRun> before,
                                                 JobRun failed, RuntimeException e) {
        failed.add(new TableResult("(run)", "failed", 0, 0, 0, failed.elapsedMs(), errorLine(e)));
        List<JobRun> all = new ArrayList<>(before);
        all.add(failed);
        try {
            recordAll(spark, writer, all);
        } catch (RuntimeException auditFailed) {
            e.addSuppressed(auditFailed);
        }
        return e;
    }

    /** The first line of the deepest useful message: what a user can act on, without the trace. */
    public static String errorLine(Throwable e) {
        Throwable t = e;
        String message = null;
        while (t != null) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
                if (t instanceof org.apache.spark.sql.AnalysisException
                        || t instanceof org.apache.spark.sql.catalyst.parser.ParseException) {
                    break;
                }
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        String first = message.strip().lines().findFirst().orElse("");
        return first.length() > 400 ? first.substring(0, 400) + "..." : first;
    }
}
