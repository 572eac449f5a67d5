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
import dev.shoplake.stack.LocalStack;
import dev.shoplake.streaming.EventStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code lakehouse bench}: on one freshly simulated shop, side by side, the first full batch, a
 * batch with nothing new (in this JVM and as a whole process, JVM and session included), one more
 * simulated day, DuckDB doing the same transformations on the same rows exported with COPY, table
 * upkeep, and the stream's backlog rate and live latency. Writes {@code result.json} and a report.
 * Figures, not assertions: targets live here, never in timed tests.
 */
public final class Bench {
    public record Options(double scaleFactor, int days, boolean batch, boolean stream, boolean serve, int repeat, long liveSeconds,
                          double liveSpeed, List<String> cliArgs, Path outDir) {
    }

    private final Settings settings;
    private final LakehouseConfig config;
    private final Options options;
    private final Consumer<String> say;
    private final BenchResult result = new BenchResult();
    private final StringBuilder report = new StringBuilder();
    /** Lines that go under the batch table, not inside it. */
    private final StringBuilder batchNotes = new StringBuilder();

    private Bench(Settings settings, LakehouseConfig config, Options options, Consumer<String> say) {
        this.settings = settings;
        this.config = config;
        this.options = options;
        this.say = say;
    }

    /** Runs the bench; returns the report's path ({@code result.json} is beside it). */
    public static Path run(Settings settings, LakehouseConfig config, Options options, Consumer<String> say)
            throws Exception {
        return new Bench(settings, config, options, say).run();
    }

    private Path run() throws Exception {
        HeapSampler heap = HeapSampler.start();
        try {
            return measure(heap);
        } finally {
            heap.close();
        }
    }

    private Path measure(HeapSampler heap) throws Exception {
        result.put("sf", options.scaleFactor()).put("days", options.days()).put("repeat", options.repeat())
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20)
                .put("java", System.getProperty("java.version")).put("started_at", Instant.now().toString());
        report.append("# shoplake bench: SF").append(options.scaleFactor()).append(", ").append(options.days())
                .append(" days\n\n").append(String.format("%d cores, java %s, driver heap max %,d MiB, %d repetitions "
                        + "where a phase can be repeated (median, min-max)%n", Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20, options.repeat()));
        try (LocalStack stack = LocalStack.start(config)) {
            ShopDatabase db = new ShopDatabase(config.postgres());
            db.migrate();
            simulateShop(db);
            if (options.batch()) {
                benchBatch(db);
            }
            if (options.stream()) {
                benchStream();
            }
            if (options.serve()) {
                benchServe();
            }
        }
        result.put("driver_heap_max_mib", heap.peakMib());
        Files.createDirectories(options.outDir());
        Path json = options.outDir().resolve("result.json");
        Files.writeString(json, result.toJson() + "\n");
        Path md = options.outDir().resolve(String.format("bench-sf%s-%dd.md", options.scaleFactor(), options.days()));
        report.append(String.format("%n- driver heap, peak used (sampled every 100 ms): %,d MiB (of %,d MiB max)%n",
                heap.peakMib(), Runtime.getRuntime().maxMemory() >> 20)).append("\nresult: `").append(json).append("`\n");
        Files.writeString(md, report);
        return md;
    }

    /** Seeds and backfills, ending in the past: the incremental days still to come must be too (Kafka refuses the future). */
    private void simulateShop(ShopDatabase db) {
        int laterDays = options.batch() ? options.repeat() : 0;
        var start = java.time.LocalDate.now(ZoneOffset.UTC).minusDays(options.days() + laterDays + 1L);
        long t0 = System.nanoTime();
        try (var sim = ShopSimulator.open(config)) {
            sim.seed(options.scaleFactor(), config.simulator().seed(), start.atStartOfDay(ZoneOffset.UTC).toInstant());
            ShopSimulator.Summary s = sim.backfill(options.days(), null);
            long rows = db.rowCounts().values().stream().mapToLong(Long::longValue).sum();
            double secs = seconds(t0);
            result.put("source_rows", rows).put("source_events", s.events()).put("simulate_s", BenchResult.round(secs));
            report.append(String.format("%n## The shop%n%n- seeded and backfilled %d days from %s in %.1f s: %,d rows in "
                    + "PostgreSQL, %,d events in Kafka%n", options.days(), start, secs, rows, s.events()));
            say.accept(String.format("shop: %,d rows, %,d events (%.0f s)", rows, s.events(), secs));
        }
    }

    private void benchBatch(ShopDatabase db) throws Exception {
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
            Map<String, String> sparkChecks = sparkChecks(spark);

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
        lastSeconds = seconds(t0);
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
        List<String> command = new ArrayList<>();
        Path script = Path.of("bin", "lakehouse");
        if (Files.isExecutable(script)) {
            command.add(script.toString());
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("dev.shoplake.cli.Lakehouse");
        }
        command.addAll(options.cliArgs());
        command.add("batch");
        Path log = options.outDir().resolve("noop-batch.log");
        Files.createDirectories(options.outDir());
        if (Files.isExecutable(script) && !archiveRecorded) {
            runToEnd(command, log);
            archiveRecorded = true;
        }
        long t0 = System.nanoTime();
        runToEnd(command, log);
        double secs = seconds(t0);
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

    /** What the DuckDB run must agree with: rows and a sum per gold table, from Spark's gold. */
    static Map<String, String> sparkChecks(SparkSession spark) {
        Map<String, String> out = new LinkedHashMap<>();
        DuckDbYardstick.CHECKS.forEach((table, sum) -> out.put(table, spark.sql("SELECT CAST(count(*) AS STRING) || ':' || "
                + "coalesce(CAST(sum(" + sum + ") AS STRING), '0') FROM gold." + table).first().getString(0)));
        return out;
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

    /** The lake (built by --batch, or by one batch here) served from this JVM's Spark, and its thin clients. */
    private void benchServe() throws Exception {
        SparkSession spark = LakeSession.open("shoplake-bench-serve", settings, config);
        try {
            if (!options.batch()) {
                BatchPipeline.run(spark, config, false, line -> { });
            }
            new ServeBench(result, report, say, options.outDir()).run(spark, config.serve());
        } finally {
            spark.stop();
        }
    }

    private void benchStream() throws Exception {
        SparkSession spark = LakeSession.open("shoplake-bench-stream", settings, config);
        try {
            report.append("\n## Streaming (").append(spark.sparkContext().master()).append(", max-offsets-per-trigger ")
                    .append(config.streaming().maxOffsetsPerTrigger()).append(")\n\n");
            EventStream catchUp = new EventStream(spark, config);
            long t0 = System.nanoTime();
            catchUp.start(true);
            catchUp.awaitStopped(Long.MAX_VALUE / 4);
            double secs = seconds(t0);
            Row backlog = spark.sql("SELECT coalesce(sum(input_rows), 0), count(*), percentile_approx(duration_ms, 0.5) "
                    + "FROM ops.stream_progress WHERE query = 'gold_facts'").first();
            double rate = backlog.getLong(0) / secs;
            result.put("stream_backlog_records", backlog.getLong(0)).put("stream_backlog_s", BenchResult.round(secs))
                    .put("stream_backlog_records_per_s", Math.round(rate));
            report.append(String.format("- backlog (availableNow): %,d Kafka records in %.1f s = **%,.0f records/s**, %d "
                    + "micro-batches (median %s ms)%n", backlog.getLong(0), secs, rate, backlog.getLong(1), backlog.get(2)));
            say.accept(String.format("stream backlog: %,.0f records/s", rate));

            benchLive(spark);
        } finally {
            spark.stop();
        }
    }

    /**
     * The demo's load, measured: the shop live at {@code liveSpeed}, the stream following it, the
     * dashboard serving; the first half alone, the second with a batch beside them. Chromium opens
     * the dashboard in the second half: seconds to every tile drawn, then the event-to-screen
     * staleness of the live header at each push (now minus the newest stock event it shows).
     */
    private void benchLive(SparkSession spark) throws Exception {
        if (!new DeltaWriter(spark, config.lakeRoot()).exists(LakeTables.GOLD_DIM_PRODUCT)) {
            say.accept("live phase: a first batch, so that the live one is incremental, as in the demo");
            BatchPipeline.run(spark, config, false, line -> { });
        }
        LakehouseConfig liveShop = LakehouseConfig.from(settings.with("spark.lakehouse.sim.speed",
                String.valueOf(options.liveSpeed())), System.getenv());
        SparkJobCounter counter = new SparkJobCounter();
        spark.sparkContext().addSparkListener(counter);
        var background = java.util.concurrent.Executors.newFixedThreadPool(2);
        long liveFrom = System.currentTimeMillis();
        long half = options.liveSeconds() * 1000 / 2;
        long batchFrom = liveFrom + half;
        long[] batchWindow = new long[] {Long.MAX_VALUE, Long.MAX_VALUE};
        Map<String, Object> page = new LinkedHashMap<>();
        EventStream live = new EventStream(spark, config);
        dev.shoplake.dashboard.DashboardData data = new dev.shoplake.dashboard.DashboardData(spark, config.lakeRoot(),
                config.streaming().stockAlertBelow(), Duration.ofMillis(250));
        live.addListener(data.live()); // as the demo runs them: the live tiles move with the stream's batches
        java.time.LocalDate today = java.time.LocalDate.now(ZoneOffset.UTC);
        data.warm(today.minusDays(29), today);
        counter.takeCounts();
        live.start(false);
        try (var dashboard = dev.shoplake.dashboard.DashboardServer.start(data, "127.0.0.1", 0, "bench")) {
            var simulated = background.submit(() -> {
                try (var sim = ShopSimulator.open(liveShop)) {
                    return sim.live(Duration.ofSeconds(options.liveSeconds()), Clock.systemUTC(), line -> { });
                }
            });
            var batches = background.submit(() -> {
                Thread.sleep(Math.max(0, batchFrom - System.currentTimeMillis()));
                batchWindow[0] = System.currentTimeMillis();
                int runs = 0;
                while (System.currentTimeMillis() < liveFrom + options.liveSeconds() * 1000) {
                    BatchPipeline.run(spark, config, false, line -> { });
                    runs++;
                }
                batchWindow[1] = System.currentTimeMillis();
                return runs;
            });
            Thread.sleep(Math.max(0, batchFrom + 5_000 - System.currentTimeMillis()));
            try (Chromium browser = Chromium.open(dashboard.url())) {
                browser.eval("window.staleness = []; 1");
                browser.await("document.body !== null && document.body.dataset.ready === 'true'", Duration.ofMinutes(2));
                double drawn = browser.eval("+document.body.dataset.drawnMs").asDouble() / 1e3;
                page.put("dashboard_all_tiles_drawn_s", BenchResult.round(drawn));
                // each push of the header: now minus the newest stock event gold holds
                // each push of the header that brings a newer event than the page had: now minus that event's time
                browser.eval("(() => { const first = document.getElementById('freshness').dataset.newestEvent;"
                        + " const seen = {}; seen[first] = 1; setInterval(() => {"
                        + " const t = document.getElementById('freshness').dataset.newestEvent; if (t && !seen[t]) {"
                        + " seen[t] = 1; window.staleness.push(Date.now() - Date.parse(t)); } }, 50); return 1; })()");
                Thread.sleep(Math.max(0, liveFrom + options.liveSeconds() * 1000 - System.currentTimeMillis()));
                List<Double> staleness = new ArrayList<>();
                browser.eval("JSON.stringify(window.staleness)").asText().lines().findFirst().ifPresent(json -> {
                    for (String v : json.replaceAll("[\\[\\]]", "").split(",")) {
                        if (!v.isBlank()) {
                            staleness.add(Double.parseDouble(v) / 1e3);
                        }
                    }
                });
                staleness.sort(Double::compare);
                page.put("dashboard_staleness_samples", staleness.size());
                page.put("dashboard_staleness_p50_s", staleness.isEmpty() ? null : BenchResult.round(percentile(staleness, 0.5)));
                page.put("dashboard_staleness_p95_s", staleness.isEmpty() ? null : BenchResult.round(percentile(staleness, 0.95)));
                browser.screenshot(options.outDir().resolve("dashboard-under-load.png"));
            }
            simulated.get();
            int runs = batches.get();
            page.put("live_batches", runs);
        } finally {
            background.shutdownNow();
            live.processAllAvailable();
            live.stop();
        }
        Map<String, Long> jobs = counter.byDescription();
        Map<String, Long> jobMs = counter.msByDescription();
        result.putAll(page);
        String window = "query = 'gold_facts' AND input_rows > 0 AND batch_started_at >= timestamp_millis(%d) "
                + "AND batch_started_at < timestamp_millis(%d)";
        Row alone = latency(spark, String.format(window, liveFrom, batchWindow[0]));
        Row beside = latency(spark, String.format(window, batchWindow[0], batchWindow[1]));
        List<String> facts = List.of(LakeTables.GOLD_FACT_CART_ACTIVITY, LakeTables.GOLD_FACT_PRODUCT_STOCK).stream()
                .map(t -> new DeltaWriter(spark, config.lakeRoot()).path(t)).toList();
        Row perEventAlone = EventLatency.of(spark, facts, liveFrom, batchWindow[0]);
        Row perEventBeside = EventLatency.of(spark, facts, batchWindow[0], batchWindow[1]);
        putPerEvent(result, "stream_event_latency", perEventAlone);
        putPerEvent(result, "stream_event_latency_beside_batch", perEventBeside);
        report.append(String.format("- per event (its own time to the first Delta commit holding it, the stream's facts): "
                        + "alone p50 **%s s**, p95 **%s s**, p99 %s s, max %s s (%d events); with a batch beside it p50 "
                        + "**%s s**, p95 **%s s**, p99 %s s, max %s s (%d events)%n",
                percentileSeconds(perEventAlone, 0), percentileSeconds(perEventAlone, 1),
                percentileSeconds(perEventAlone, 2), seconds(perEventAlone, 2), perEventAlone.getLong(0),
                percentileSeconds(perEventBeside, 0), percentileSeconds(perEventBeside, 1),
                percentileSeconds(perEventBeside, 2), seconds(perEventBeside, 2), perEventBeside.getLong(0)));
        say.accept("per event: alone p50 " + percentileSeconds(perEventAlone, 0) + " s, p95 "
                + percentileSeconds(perEventAlone, 1) + " s (" + perEventAlone.getLong(0) + " events); beside a batch p50 "
                + percentileSeconds(perEventBeside, 0) + " s, p95 " + percentileSeconds(perEventBeside, 1) + " s ("
                + perEventBeside.getLong(0) + " events)");
        result.put("stream_latency_p50_s", seconds(alone, 2)).put("stream_latency_p95_s", seconds(alone, 3))
                .put("stream_live_microbatches", alone.getLong(0))
                .put("stream_latency_beside_batch_p50_s", seconds(beside, 2))
                .put("stream_latency_beside_batch_p95_s", seconds(beside, 3))
                .put("stream_beside_batch_microbatches", beside.getLong(0));
        report.append(String.format("- live, %d s at %sx a day's pace (a tick every %d s), the dashboard serving: "
                        + "event-to-gold latency (gold commit minus the batch's oldest event) alone p50 **%s s**, p95 "
                        + "**%s s** (%d micro-batches, median %s ms); with a batch beside it (%s runs) p50 **%s s**, p95 "
                        + "**%s s** (%d micro-batches, median %s ms)%n",
                options.liveSeconds(), options.liveSpeed(), config.simulator().tickSeconds(), seconds(alone, 2),
                seconds(alone, 3), alone.getLong(0), alone.get(4), page.get("live_batches"), seconds(beside, 2),
                seconds(beside, 3), beside.getLong(0), beside.get(4)));
        report.append(String.format("- dashboard, opened under that load: every tile drawn after **%s s**; event to the "
                        + "number on the page (the header's newest stock event, at each push) p50 **%s s**, p95 **%s s** "
                        + "(%s pushes)%n", page.get("dashboard_all_tiles_drawn_s"), page.get("dashboard_staleness_p50_s"),
                page.get("dashboard_staleness_p95_s"), page.get("dashboard_staleness_samples")));
        report.append("- Spark jobs of the live phase by description (stream, batch and dashboard together; "
                + "seconds add up jobs that ran side by side):\n\n| jobs | seconds | description |\n|---:|---:|---|\n");
        jobMs.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(30)
                .forEach(e -> report.append(String.format("| %,d | %.1f | %s |%n", jobs.getOrDefault(e.getKey(), 0L),
                        e.getValue() / 1e3, e.getKey().replace("|", "/"))));
        say.accept("stream latency alone p50 " + seconds(alone, 2) + " s, p95 " + seconds(alone, 3) + " s; beside a batch p50 "
                + seconds(beside, 2) + " s, p95 " + seconds(beside, 3) + " s; dashboard drawn in "
                + page.get("dashboard_all_tiles_drawn_s") + " s, staleness p95 " + page.get("dashboard_staleness_p95_s") + " s");
    }

    private static Row latency(SparkSession spark, String where) {
        return spark.sql("SELECT count(*), coalesce(sum(input_rows), 0), percentile_approx(max_latency_ms, 0.5), "
                + "percentile_approx(max_latency_ms, 0.95), percentile_approx(duration_ms, 0.5) FROM ops.stream_progress "
                + "WHERE " + where).first();
    }

    /** events, p50, p95, p99 and max of a per-event latency row ({@link EventLatency}), in seconds. */
    private static void putPerEvent(BenchResult result, String prefix, Row r) {
        result.put(prefix + "_events", r.getLong(0));
        result.put(prefix + "_p50_s", percentileSeconds(r, 0));
        result.put(prefix + "_p95_s", percentileSeconds(r, 1));
        result.put(prefix + "_p99_s", percentileSeconds(r, 2));
        result.put(prefix + "_max_s", seconds(r, 2));
    }

    private static Double percentileSeconds(Row r, int i) {
        return r.isNullAt(1) ? null : r.<Long>getList(1).get(i) / 1e3;
    }

    private static Double seconds(Row r, int i) {
        return r.isNullAt(i) ? null : r.getLong(i) / 1e3;
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
