package dev.shoplake.bench;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeSession;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.pipeline.BatchPipeline;
import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.streaming.EventStream;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The bench's stream phase: the backlog of every event so far ({@code availableNow}), then the demo's
 * load for {@code --live-seconds}: the shop live, the stream following it, the dashboard serving,
 * a batch beside them in the second half; latency per micro-batch and per event, the page in
 * Chromium, the phase's Spark jobs by description.
 */
final class StreamBench extends BenchPhase {
    StreamBench(Settings settings, LakehouseConfig config, Bench.Options options, BenchResult result,
                StringBuilder report, Consumer<String> say) {
        super(settings, config, options, result, report, say);
    }

    void run() throws Exception {
        SparkSession spark = LakeSession.open("shoplake-bench-stream", settings, config);
        try {
            report.append("\n## Streaming (").append(spark.sparkContext().master()).append(", max-offsets-per-trigger ")
                    .append(config.streaming().maxOffsetsPerTrigger()).append(")\n\n");
            EventStream catchUp = new EventStream(spark, config);
            long t0 = System.nanoTime();
            catchUp.start(true);
            catchUp.awaitStopped(Long.MAX_VALUE / 4);
            double secs = Bench.seconds(t0);
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
        long liveTo = liveFrom + options.liveSeconds() * 1000;
        long batchFrom = options.batchBeside() == Bench.BatchBeside.NONE ? liveTo : liveFrom + half;
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
                if (options.batchBeside() == Bench.BatchBeside.NONE) {
                    return 0;
                }
                Thread.sleep(Math.max(0, batchFrom - System.currentTimeMillis()));
                batchWindow[0] = System.currentTimeMillis();
                int runs = 0;
                while (System.currentTimeMillis() < liveFrom + options.liveSeconds() * 1000) {
                    if (options.batchBeside() == Bench.BatchBeside.PROCESS) {
                        batchProcess();
                    } else {
                        BatchPipeline.run(spark, config, false, line -> { });
                    }
                    runs++;
                }
                batchWindow[1] = System.currentTimeMillis();
                return runs;
            });
            Thread.sleep(Math.max(0, liveFrom + half + 5_000 - System.currentTimeMillis()));
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
            if (options.batchBeside() == Bench.BatchBeside.NONE) {
                batchWindow[0] = liveTo;
                batchWindow[1] = liveTo;
            }
            page.put("live_batch_beside", options.batchBeside().name().toLowerCase(java.util.Locale.ROOT));
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
                        + "**%s s** (%d micro-batches, median %s ms); with a batch beside it (%s runs, %s) p50 **%s s**, p95 "
                        + "**%s s** (%d micro-batches, median %s ms)%n",
                options.liveSeconds(), options.liveSpeed(), config.simulator().tickSeconds(), seconds(alone, 2),
                seconds(alone, 3), alone.getLong(0), alone.get(4), page.get("live_batches"),
                options.batchBeside().said(),
                seconds(beside, 2),
                seconds(beside, 3), beside.getLong(0), beside.get(4)));
        report.append(String.format("- dashboard, opened under that load: every tile drawn after **%s s**; event to the "
                        + "number on the page (the header's newest stock event, at each push) p50 **%s s**, p95 **%s s** "
                        + "(%s pushes)%n", page.get("dashboard_all_tiles_drawn_s"), page.get("dashboard_staleness_p50_s"),
                page.get("dashboard_staleness_p95_s"), page.get("dashboard_staleness_samples")));
        flatness(spark, facts, window, liveFrom, Math.min(batchWindow[0], liveTo));
        List<Long> perBatchAlone = counter.jobsPerMicroBatch(liveFrom, batchWindow[0]);
        List<Long> perBatchBeside = counter.jobsPerMicroBatch(batchWindow[0], batchWindow[1]);
        result.put("stream_jobs_per_microbatch_p50", median(perBatchAlone))
                .put("stream_jobs_per_microbatch_max", perBatchAlone.isEmpty() ? null : perBatchAlone.get(perBatchAlone.size() - 1))
                .put("stream_jobs_per_microbatch_beside_batch_p50", median(perBatchBeside));
        report.append(String.format("- Spark jobs per live micro-batch (counted by a listener, the jobs Spark marks with the "
                        + "micro-batch's id): alone median **%s**, max %s (%d micro-batches); beside a batch median %s (%d)%n",
                median(perBatchAlone), perBatchAlone.isEmpty() ? "-" : perBatchAlone.get(perBatchAlone.size() - 1),
                perBatchAlone.size(), median(perBatchBeside), perBatchBeside.size()));
        report.append("\n| jobs per micro-batch, alone | table: description |\n|---:|---|\n");
        counter.microBatchJobsByKind(liveFrom, batchWindow[0]).entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> report.append(String.format("| %.2f | %s |%n", e.getValue(), e.getKey().replace("|", "/"))));
        report.append("\n");
        say.accept("Spark jobs per live micro-batch: median " + median(perBatchAlone) + " alone, " + median(perBatchBeside)
                + " beside a batch");
        report.append("- Spark jobs of the live phase by description (stream, batch and dashboard together; "
                + "seconds add up jobs that ran side by side):\n\n| jobs | seconds | description |\n|---:|---:|---|\n");
        jobMs.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(30)
                .forEach(e -> report.append(String.format("| %,d | %.1f | %s |%n", jobs.getOrDefault(e.getKey(), 0L),
                        e.getValue() / 1e3, e.getKey().replace("|", "/"))));
        say.accept("stream latency alone p50 " + seconds(alone, 2) + " s, p95 " + seconds(alone, 3) + " s; beside a batch p50 "
                + seconds(beside, 2) + " s, p95 " + seconds(beside, 3) + " s; dashboard drawn in "
                + page.get("dashboard_all_tiles_drawn_s") + " s, staleness p95 " + page.get("dashboard_staleness_p95_s") + " s");
    }

    /** {@code lakehouse batch} in a JVM of its own at the lowest priority, to its end. */
    private void batchProcess() throws java.io.IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("nice", "-n", "19"));
        command.addAll(lakehouseCommand("batch"));
        java.nio.file.Path log = options.outDir().resolve("batch-beside-stream.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("lakehouse batch beside the stream exited " + p.exitValue() + ", see " + log);
            }
        } finally {
            p.destroy(); // the phase ended (interrupted): no batch outlives it
        }
    }

    /**
     * Whether the stream alone stays as fast as it started: its first and last stretch (a third of
     * the time alone, at most 10 minutes), per event p95 and the micro-batches' median duration.
     */
    private void flatness(SparkSession spark, List<String> facts, String window, long from, long to) {
        long w = Math.min(600_000, (to - from) / 3);
        Row firstEvents = EventLatency.of(spark, facts, from, from + w);
        Row lastEvents = EventLatency.of(spark, facts, to - w, to);
        Row firstBatches = latency(spark, String.format(window, from, from + w));
        Row lastBatches = latency(spark, String.format(window, to - w, to));
        result.put("stream_flat_window_s", w / 1000).put("stream_flat_first_p95_s", percentileSeconds(firstEvents, 1))
                .put("stream_flat_last_p95_s", percentileSeconds(lastEvents, 1))
                .put("stream_flat_first_microbatch_ms", firstBatches.get(4))
                .put("stream_flat_last_microbatch_ms", lastBatches.get(4));
        report.append(String.format("- the stream alone, its first %d s against its last %d s: per event p95 **%s s** -> "
                        + "**%s s** (%d and %d events), micro-batch median %s -> %s ms%n", w / 1000, w / 1000,
                percentileSeconds(firstEvents, 1), percentileSeconds(lastEvents, 1), firstEvents.getLong(0),
                lastEvents.getLong(0), firstBatches.get(4), lastBatches.get(4)));
    }

    private static Long median(List<Long> sorted) {
        return sorted.isEmpty() ? null : sorted.get(sorted.size() / 2);
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
}
