package dev.shoplake.pipeline;

import dev.shoplake.bronze.BronzeJob;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.gold.GoldJob;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.ops.DataTests;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableTasks;
import dev.shoplake.ops.WaitingFacts;
import dev.shoplake.silver.SilverJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One batch run: bronze, then silver, then gold, each layer recorded in {@code ops.job_runs}, a
 * failed layer too (with its error) before the failure goes on up. Each layer reads only what its
 * inputs committed since its last run and skips the tables whose inputs did not move, so a run
 * with nothing new costs a few reads of Delta logs and PostgreSQL, not a pass over the lake.
 */
public final class BatchPipeline {
    private BatchPipeline() {
    }

    /** What a run did: wall time per layer, each layer's audit, and the facts still waiting. */
    public record Outcome(Map<String, Long> elapsedMs, BronzeJob.Result bronze, List<JobRun> layers,
                          List<Row> waiting, List<DataTests.Outcome> dataTests) {
        /** The data tests of what the run wrote that failed. */
        public long failedDataTests() {
            return dataTests.stream().filter(t -> !t.passed()).count();
        }

        /** Rows written by silver and gold together. */
        public long rowsWritten() {
            return layers.stream().flatMap(r -> r.results().stream()).mapToLong(JobRun.TableResult::rowsWritten).sum();
        }
    }

    /**
     * @param say one line per layer and per table, as they finish. The layers' audit goes to
     *            ops.job_runs in one append at the end (or when a layer fails, with the layers before it).
     */
    public static Outcome run(SparkSession spark, LakehouseConfig config, boolean fullRefresh, Consumer<String> say) {
        Map<String, Long> elapsed = new LinkedHashMap<>();
        DeltaWriter writer = new DeltaWriter(spark, config.lakeRoot());
        List<JobRun> done = new ArrayList<>();
        JobRun bronzeRun = new JobRun("bronze");
        BronzeJob.Result[] landed = new BronzeJob.Result[1];
        layer(spark, writer, done, bronzeRun, "bronze (bookkeeping, reports)",
                run -> landed[0] = BronzeJob.land(spark, config, run));
        BronzeJob.Result bronze = landed[0];
        elapsed.put("bronze", bronzeRun.elapsedMs());
        report(say, bronzeRun);
        if (!bronze.reports().missingDays().isEmpty()) {
            say.accept("ALARM: daily reports missing (deleted before they were landed): " + bronze.reports().missingDays());
        }
        JobRun silver = layer(spark, writer, done, new JobRun("silver"), "silver (bookkeeping)",
                run -> new SilverJob(spark, writer, config.batchParallelTables()).run(run));
        elapsed.put("silver", silver.elapsedMs());
        report(say, silver);
        GoldJob goldJob = new GoldJob(spark, writer, config.batchParallelTables(), fullRefresh);
        JobRun gold = layer(spark, writer, done, new JobRun("gold"), "gold (bookkeeping)", goldJob::run);
        elapsed.put("gold", gold.elapsedMs());
        report(say, gold);
        JobRun.recordAll(spark, writer, done);
        // waiting facts change only when gold writes (the stream counts its own facts)
        List<Row> waiting = gold.results().stream().anyMatch(r -> r.rowsWritten() > 0)
                ? TableTasks.forTable(spark, LakeTables.OPS_WAITING_FACTS.qualifiedName(), () -> WaitingFacts.record(
                        spark, writer, gold.runId(), Instant.now(), config.waitingAlarmAfter())) : List.of();
        printWaiting(say, waiting);
        List<DataTests.Outcome> tested = config.dataTestsAfterBatch() ? TableTasks.forTable(spark,
                LakeTables.OPS_DATA_TESTS.qualifiedName(), () -> DataTests.record(spark, writer, gold.runId(),
                        DataTests.afterBatch(goldJob.written().keySet()), goldJob.written(), Instant.now())) : List.of();
        printDataTests(say, tested);
        return new Outcome(elapsed, bronze, List.of(silver, gold), waiting, tested);
    }

    /** One line for the tests that passed, one per test that failed. */
    public static void printDataTests(Consumer<String> say, List<DataTests.Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        long failed = outcomes.stream().filter(o -> !o.passed()).count();
        say.accept("data tests: " + (outcomes.size() - failed) + " passed, " + failed + " failed (ops.data_tests)");
        outcomes.stream().filter(o -> !o.passed()).forEach(o -> say.accept("  DATA TEST FAILED " + o.test().name()
                + ": " + o.failures() + " offending value(s), e.g. " + o.example()));
    }

    /** Runs one layer; a failure is recorded with the layers before it, then goes on up. */
    private static JobRun layer(SparkSession spark, DeltaWriter writer, List<JobRun> done, JobRun run, String label,
                                Consumer<JobRun> work) {
        try {
            TableTasks.labelled(spark, label, () -> work.accept(run)).run();
        } catch (RuntimeException e) {
            throw JobRun.recordFailure(spark, writer, done, run, e);
        }
        done.add(run);
        return run;
    }

    private static void report(Consumer<String> say, JobRun run) {
        say.accept(run.job() + " run " + run.runId() + " (" + run.elapsedMs() + " ms):");
        run.results().forEach(r -> say.accept("  " + r.summary()));
    }

    /** Facts still waiting for their dimension, per table, with the oldest one's event time. */
    public static void printWaiting(Consumer<String> say, List<Row> waiting) {
        for (Row r : waiting) {
            if (r.getLong(1) > 0) {
                say.accept(String.format("  waiting for a dimension: %-28s %,d fact(s), the oldest since %s",
                        r.getString(0), r.getLong(1), r.get(2)));
            }
        }
    }
}
