package dev.shoplake.bench;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeSession;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableMaintenance;
import dev.shoplake.pipeline.BatchPipeline;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.sim.ShopSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;

/**
 * The bench's batch phase: the first full batch, a batch with nothing new (in the JVM and as a
 * whole process), one more simulated day per repetition, DuckDB on the same rows, table upkeep;
 * a table of the runs and, for the last day, where its Spark jobs went.
 */
final class BatchBench extends BenchPhase {
    /** Lines that go under the batch table, not inside it. */
    private final StringBuilder batchNotes = new StringBuilder();

    BatchBench(Settings settings, LakehouseConfig config, Bench.Options options, BenchResult result,
               StringBuilder report, Consumer<String> say) {
        super(settings, config, options, result, report, say);
    }

    void run(ShopDatabase db) throws Exception {
        SparkSession spark = LakeSession.open("shoplake-bench", settings, config);
        SparkJobCounter counter = new SparkJobCounter();
        spark.sparkContext().addSparkListener(counter);
        try {
            report.append("\n## Batch (").append(spark.sparkContext().master()).append(")\n\n")
                    .append("| run | wall | bronze / silver / gold | Spark jobs | rows written | slowest tables |\n")
                    .append("|---|---:|---|---:|---:|---|\n");
            // 1. the first full run
            counter.takeCounts();
            BatchPipeline.Outcome full = timed("first full run", spark, counter);
            double fullSeconds = lastSeconds;
            long bronzeRows = full.bronze().run().results().stream().mapToLong(JobRun.TableResult::rowsWritten).sum();
            double bronzeSeconds = full.elapsedMs().get("bronze") / 1e3;
            result.put("full_batch_s", BenchResult.round(fullSeconds))
                    .put("bronze_rows", bronzeRows).put("bronze_s", BenchResult.round(bronzeSeconds))
                    .put("bronze_rows_per_s", Math.round(bronzeRows / bronzeSeconds));
            Map<String, String> sparkChecks = DuckDbYardstick.sparkChecks(spark);

            // 2. the yardstick, on the same rows
            duckDb(db, sparkChecks, fullSeconds, bronzeRows, bronzeSeconds);

            // 3. nothing new: in this JVM, then as a whole process
            List<Double> inJvm = new ArrayList<>();
            long written = 0;
            for (int i = 0; i < options.repeat(); i++) {
                BatchPipeline.Outcome noop = timed("nothing new (this JVM)", spark, counter);
                inJvm.add(lastSeconds);
                written += noop.rowsWritten();
            }
            List<Double> process = new ArrayList<>();
            for (int i = 0; i < options.repeat(); i++) {
                process.add(wholeProcessBatch());
            }
            report.append(String.format("| nothing new, whole process (`bin/lakehouse batch`: JVM + session + run) | %.1f s (%.1f-%.1f) | | | | |%n",
                    BenchResult.median(process), min(process), max(process)));
            result.put("noop_batch_s", BenchResult.round(BenchResult.median(process)))
                    .put("noop_batch_process_s", BenchResult.spread(process))
                    .put("noop_batch_in_jvm_s", BenchResult.spread(inJvm)).put("noop_rows_written", written);

            // 4. one more simulated day, each time
            List<Double> incremental = new ArrayList<>();
            for (int i = 0; i < options.repeat(); i++) {
                try (var sim = ShopSimulator.open(config)) {
                    sim.backfill(1, null);
                }
                timed("one more simulated day", spark, counter);
                incremental.add(lastSeconds);
            }
            dayProfile = dayProfile(lastTables, lastDescriptions);
            double inc = BenchResult.median(incremental);
            result.put("incremental_batch_s", BenchResult.round(inc)).put("incremental_batch", BenchResult.spread(incremental))
                    .put("incremental_vs_full", BenchResult.round(inc / fullSeconds));
            report.append(batchNotes);
            report.append(dayProfile);
            report.append(String.format("- one more day: %.1f s median = **%.2fx** of the first full run%n", inc,
                    inc / fullSeconds));

            // 5. upkeep: what the runs left behind, compacted
            var maintained = TableMaintenance.run(spark, new DeltaWriter(spark, config.lakeRoot()), LakeTables.all(),
                    Duration.ofHours(168), r -> { });
            long before = maintained.stream().mapToLong(TableMaintenance.Result::filesBefore).sum();
            long after = maintained.stream().mapToLong(TableMaintenance.Result::filesAfter).sum();
            double maintainSeconds = maintained.stream().mapToLong(TableMaintenance.Result::durationMs).sum() / 1e3;
            result.put("files_before_maintain", before).put("files_after_maintain", after)
                    .put("maintain_s", BenchResult.round(maintainSeconds));
            report.append(String.format("- `maintain` (OPTIMIZE, VACUUM 168 h, checkpoint) of %d tables: live files "
                    + "%,d -> %,d in %.1f s%n", maintained.size(), before, after, maintainSeconds));
        } finally {
            spark.stop();
        }
    }

    private double lastSeconds;
    /** Spark jobs and their milliseconds per table, and per job description, of the last {@link #timed} run. */
    private Map<String, long[]> lastTables = Map.of();
    private Map<String, long[]> lastDescriptions = Map.of();
    private String dayProfile = "";

    /** The last "one more day"'s Spark jobs per table and per description: where a day's cost goes. */
    private String dayProfile(Map<String, long[]> tables, Map<String, long[]> descriptions) {
        StringBuilder out = new StringBuilder("\n- one more day, Spark jobs per table they worked for (seconds add up "
                + "jobs side by side):\n\n| jobs | seconds | table |\n|---:|---:|---|\n");
        Map<String, Object> perTable = new java.util.LinkedHashMap<>();
        result.put("incremental_jobs_by_table", perTable);
        tables.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(e -> {
            out.append(String.format("| %,d | %.1f | %s |%n", e.getValue()[0], e.getValue()[1] / 1e3, e.getKey()));
            perTable.put(e.getKey(), e.getValue()[0]);
        });
        out.append("\n- one more day, Spark jobs per description (the 20 most):\n\n| jobs | seconds | description |\n"
                + "|---:|---:|---|\n");
        descriptions.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(20)
                .forEach(e -> out.append(String.format("| %,d | %.1f | %s |%n", e.getValue()[0], e.getValue()[1] / 1e3,
                        e.getKey().replace("|", "/"))));
        return out.append('\n').toString();
    }

    /** One batch run in this JVM, as a row of the report. */
    private BatchPipeline.Outcome timed(String label, SparkSession spark, SparkJobCounter counter) {
        counter.takeCounts();
        long t0 = System.nanoTime();
        BatchPipeline.Outcome o = BatchPipeline.run(spark, config, false, line -> { });
        lastSeconds = Bench.seconds(t0);
        lastTables = new java.util.TreeMap<>();
        Map<String, Long> tableMs = counter.msByTable();
        counter.byTable().forEach((table, n) -> lastTables.put(table, new long[] {n, tableMs.getOrDefault(table, 0L)}));
        lastDescriptions = new java.util.TreeMap<>();
        Map<String, Long> descriptionMs = counter.msByDescription();
        counter.byDescription().forEach((d, n) -> lastDescriptions.put(d, new long[] {n, descriptionMs.getOrDefault(d, 0L)}));
        long[] jobs = counter.takeCounts();
        List<JobRun.TableResult> tables = new ArrayList<>(o.bronze().run().results());
        o.layers().forEach(l -> tables.addAll(l.results()));
        tables.sort(Comparator.comparingLong(JobRun.TableResult::durationMs).reversed());
        StringBuilder slowest = new StringBuilder();
        for (JobRun.TableResult t : tables.subList(0, Math.min(3, tables.size()))) {
            slowest.append(slowest.length() == 0 ? "" : ", ").append(t.table()).append(String.format(" %.1f s",
                    t.durationMs() / 1e3));
        }
        report.append(String.format("| %s | %.1f s | %.1f / %.1f / %.1f s | %,d | %,d | %s |%n", label, lastSeconds,
                o.elapsedMs().get("bronze") / 1e3, o.elapsedMs().get("silver") / 1e3, o.elapsedMs().get("gold") / 1e3,
                jobs[0], o.rowsWritten(), slowest));
        say.accept(String.format("%s: %.1f s, %,d Spark jobs", label, lastSeconds, jobs[0]));
        return o;
    }

    /**
     * {@code lakehouse batch} in a JVM of its own, as a scheduler would start it: the wall time. Run
     * through {@code bin/lakehouse} where the bench runs from a checkout (its JVM flags and the
     * command's class-data archive, recorded by one untimed run first, as a user's first run does);
     * otherwise this JVM's command line.
     */
    private double wholeProcessBatch() throws IOException, InterruptedException {
        List<String> command = lakehouseCommand("batch");
        Path log = options.outDir().resolve("noop-batch.log");
        Files.createDirectories(options.outDir());
        if (fromCheckout() && !archiveRecorded) {
            runToEnd(command, log);
            archiveRecorded = true;
        }
        long t0 = System.nanoTime();
        runToEnd(command, log);
        double secs = Bench.seconds(t0);
        say.accept(String.format("nothing new (whole process): %.1f s", secs));
        return secs;
    }

    private boolean archiveRecorded;

    private static void runToEnd(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("lakehouse batch exited " + exit + ", see " + log);
        }
    }

    private void duckDb(ShopDatabase db, Map<String, String> sparkChecks, double fullSeconds, long bronzeRows,
                        double bronzeSeconds) throws Exception {
        List<Double> totals = new ArrayList<>();
        DuckDbYardstick.Result last = null;
        for (int i = 0; i < options.repeat(); i++) {
            try (Connection c = db.connect()) {
                last = DuckDbYardstick.run(c, options.outDir().resolve("duckdb-" + i));
            }
            totals.add(last.totalSeconds());
        }
        double duck = BenchResult.median(totals);
        double copyRate = last.rowsExported() / last.exportSeconds();
        boolean agrees = last.checks().equals(sparkChecks);
        result.put("duckdb_full_s", BenchResult.round(duck)).put("duckdb_full", BenchResult.spread(totals))
                .put("duckdb_export_s", BenchResult.round(last.exportSeconds()))
                .put("duckdb_load_s", BenchResult.round(last.loadSeconds()))
                .put("duckdb_transform_s", BenchResult.round(last.transformSeconds()))
                .put("duckdb_agrees_with_spark", agrees)
                .put("full_vs_duckdb", BenchResult.round(fullSeconds / duck))
                .put("pg_copy_rows_per_s", Math.round(copyRate))
                .put("bronze_vs_copy", BenchResult.round(bronzeRows / bronzeSeconds / copyRate));
        batchNotes.append(String.format("%n- DuckDB, same transformations on the same rows (COPY export %.1f s, load %.1f s, "
                        + "transform %.1f s): %.1f s median; Spark's first full run is **%.1fx** that; gold tables agree: %s%n",
                last.exportSeconds(), last.loadSeconds(), last.transformSeconds(), duck, fullSeconds / duck,
                agrees ? "yes" : "NO " + last.checks() + " vs " + sparkChecks));
        batchNotes.append(String.format("- bronze landing %,.0f rows/s vs PostgreSQL's COPY %,.0f rows/s: **%.4fx**%n",
                bronzeRows / bronzeSeconds, copyRate, bronzeRows / bronzeSeconds / copyRate));
        say.accept(String.format("duckdb: %.1f s (agrees with Spark: %s)", duck, agrees));
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
