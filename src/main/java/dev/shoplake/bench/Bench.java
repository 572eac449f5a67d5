package dev.shoplake.bench;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.LakeSession;
import dev.shoplake.pipeline.BatchPipeline;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;

/**
 * {@code lakehouse bench}: on one freshly simulated shop, side by side, the first full batch, a
 * batch with nothing new (in this JVM and as a whole process, JVM and session included), one more
 * simulated day, DuckDB doing the same transformations on the same rows exported with COPY, table
 * upkeep, and the stream's backlog rate and live latency. Writes {@code result.json} and a report.
 * Figures, not assertions: targets live here, never in timed tests. The phases are classes of their
 * own ({@link BatchBench}, {@link StreamBench}, {@link ServeBench}) writing into one result and report.
 */
public final class Bench {
    /** @param batchBeside where the live phase's batch runs beside the stream, in its second half */
    public record Options(double scaleFactor, int days, boolean batch, boolean stream, boolean serve, int repeat, long liveSeconds,
                          double liveSpeed, BatchBeside batchBeside, List<String> cliArgs, Path outDir) {
    }

    /** Where the live phase's batch runs beside the stream. */
    public enum BatchBeside {
        /** in the stream's JVM, as the demo runs it */
        JVM("in the stream's JVM"),
        /** {@code lakehouse batch} under {@code nice 19}, a JVM of its own: the recommended deployment */
        PROCESS("lakehouse batch under nice 19 in a JVM of its own"),
        /** no batch: the whole live phase is the stream alone (a long run's flatness) */
        NONE("none");

        private final String said;

        BatchBeside(String said) {
            this.said = said;
        }

        public String said() {
            return said;
        }
    }

    private final Settings settings;
    private final LakehouseConfig config;
    private final Options options;
    private final Consumer<String> say;
    private final BenchResult result = new BenchResult();
    private final StringBuilder report = new StringBuilder();

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
                new BatchBench(settings, config, options, result, report, say).run(db);
            }
            if (options.stream()) {
                new StreamBench(settings, config, options, result, report, say).run();
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

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
