package dev.shoplake.cli;

import dev.shoplake.config.ConfigException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.seed.ShopSeeder;
import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.stack.LocalStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.util.Map;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The command line: one subcommand per user action; each parses, builds the config and calls a job. */
@Command(name = "lakehouse", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "shoplake: an e-commerce lakehouse on Spark and Delta Lake.",
        subcommands = {Lakehouse.Stack.class, Lakehouse.Seed.class, Lakehouse.Simulate.class, Lakehouse.Status.class,
                DemoCommand.class, Lakehouse.Bench.class, Lakehouse.Batch.class, Lakehouse.Stream.class, Lakehouse.Reconcile.class,
                Lakehouse.Tables.class, SqlCommand.class, CatalogCommand.class, DashboardCommand.class,
                NotebookCommand.class})
public final class Lakehouse {
    static final Path DEFAULT_CONFIG = Path.of("conf/local.properties");

    // INHERIT: 'lakehouse batch --conf k=v' works as well as 'lakehouse --conf k=v batch'
    @Option(names = "--config", scope = CommandLine.ScopeType.INHERIT, description = "Properties file with spark.lakehouse.* settings (default: "
            + "conf/local.properties when it exists; under spark-submit, the SparkConf).")
    Path configFile;

    @Option(names = "--conf", scope = CommandLine.ScopeType.INHERIT, description = "Override a setting: key=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    private final Map<String, String> env;

    Lakehouse(Map<String, String> env) {
        this.env = env;
    }

    Settings settings() {
        Path file = configFile != null ? configFile : Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
        Map<String, String> sparkConf = new java.util.TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("spark."))
                .forEach(k -> sparkConf.put(k, System.getProperty(k)));
        return Settings.load(file, sparkConf, overrides);
    }

    LakehouseConfig config() {
        return LakehouseConfig.from(settings(), env);
    }

    /** Runs {@code work} with a lake session of this command's settings, stopped afterwards. */
    <T> T withLake(String appName,
                   java.util.function.BiFunction<org.apache.spark.sql.SparkSession, LakehouseConfig, T> work) {
        Settings settings = settings();
        LakehouseConfig config = LakehouseConfig.from(settings, env);
        org.apache.spark.sql.SparkSession spark = dev.shoplake.lake.LakeSession.open(appName, settings, config);
        try {
            return work.apply(spark, config);
        } finally {
            spark.stop();
        }
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), new PrintWriter(System.err, true), args));
    }

    /** Runs one command; a user-fixable error is one line on {@code err} and exit code 2. */
    static int run(Map<String, String> env, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Lakehouse(env));
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable cause = e;
            while (cause != null && !(cause instanceof ConfigException)) {
                cause = cause.getCause();
            }
            if (cause != null) {
                cmd.getErr().println("error: " + cause.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    static void say(String line) {
        System.out.println(line);
    }

    @Command(name = "stack", description = "Run the local stack (PostgreSQL, FTP, Kafka on 127.0.0.1) until Ctrl-C, or stop it.")
    static final class Stack implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @CommandLine.Parameters(arity = "1", description = "start | stop")
        String action;

        @Override
        public Integer call() throws Exception {
            LakehouseConfig config = parent.config();
            Path pidFile = config.stack().path().resolve("stack.pid");
            switch (action) {
                case "start" -> {
                    Optional<ProcessHandle> other = runningStack(pidFile);
                    if (other.isPresent()) {
                        throw new ConfigException("a stack is already running (pid " + other.get().pid() + ", "
                                + pidFile + ")");
                    }
                    CountDownLatch stopped = new CountDownLatch(1);
                    try (LocalStack stack = LocalStack.start(config)) {
                        Files.writeString(pidFile, String.valueOf(ProcessHandle.current().pid()));
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                            stack.close();
                            stopped.countDown();
                        }));
                        say("local stack is up (Ctrl-C or 'lakehouse stack stop' stops it):");
                        stack.endpoints().forEach(e -> say("  " + e));
                        stopped.await();
                    } finally {
                        Files.deleteIfExists(pidFile);
                    }
                    return 0;
                }
                case "stop" -> {
                    Optional<ProcessHandle> running = runningStack(pidFile);
                    if (running.isEmpty()) {
                        say("no local stack is running");
                        return 0;
                    }
                    running.get().destroy();
                    running.get().onExit().get(120, TimeUnit.SECONDS);
                    say("local stack stopped");
                    return 0;
                }
                default -> throw new ConfigException("stack takes 'start' or 'stop', not '" + action + "'");
            }
        }

        private static Optional<ProcessHandle> runningStack(Path pidFile) throws IOException {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).filter(ProcessHandle::isAlive);
        }
    }

    @Command(name = "seed", description = "Create the shop's schema and seed its master data at a scale factor.")
    static final class Seed implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @Option(names = "--start", description = "Simulated start date, UTC (default: 7 days ago).")
        LocalDate start;

        @Override
        public Integer call() {
            LakehouseConfig config = parent.config();
            LocalDate from = start != null ? start : LocalDate.now(ZoneOffset.UTC).minusDays(7);
            seed(config, from);
            return 0;
        }
    }

    static void seed(LakehouseConfig config, LocalDate start) {
        try (var sim = ShopSimulator.open(config)) {
            ShopSeeder.Seeded s = sim.seed(config.simulator().scaleFactor(), config.simulator().seed(),
                    start.atStartOfDay(ZoneOffset.UTC).toInstant());
            say(String.format("seeded SF%s from %s: %d categories, %d products, %d customers, %d addresses",
                    config.simulator().scaleFactor(), start, s.categories(), s.products(), s.customers(), s.addresses()));
        }
    }

    @Command(name = "simulate", description = "Run the shop simulator: 'backfill --days N' or 'live [--seconds S]'.")
    static final class Simulate implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @CommandLine.Parameters(arity = "1", description = "backfill | live")
        String mode;

        @Option(names = "--days", description = "Simulated days to backfill (default: ${DEFAULT-VALUE}).", defaultValue = "1")
        int days;

        @Option(names = "--seconds", description = "How long to run live; 0 = until Ctrl-C (default: ${DEFAULT-VALUE}).",
                defaultValue = "0")
        long seconds;

        @Override
        public Integer call() {
            LakehouseConfig config = parent.config();
            try (var sim = ShopSimulator.open(config)) {
                ShopSimulator.Summary summary = switch (mode) {
                    case "backfill" -> sim.backfill(days, Lakehouse::say);
                    case "live" -> sim.live(seconds == 0 ? null : Duration.ofSeconds(seconds), Clock.systemUTC(),
                            Lakehouse::say);
                    default -> throw new ConfigException("simulate takes 'backfill' or 'live', not '" + mode + "'");
                };
                printSummary(summary);
            }
            return 0;
        }
    }

    static void printSummary(ShopSimulator.Summary s) {
        double secs = Math.max(0.001, s.elapsed().toMillis() / 1000.0);
        say(String.format("%s: %d day(s), %d tick(s), %,d events in %.1f s (%,.0f events/s); clock now %s",
                s.mode(), s.days(), s.ticks(), s.events(), secs, s.events() / secs, s.clock()));
        say("  events by type: " + s.eventsByType());
        if (!s.reports().isEmpty()) {
            say("  reports uploaded: " + s.reports());
        }
    }

    @Command(name = "status", description = "Print what the source systems hold: rows, reports, events.")
    static final class Status implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @Override
        public Integer call() {
            SourceSummary.print(parent.config(), System.out);
            return 0;
        }
    }

    @Command(name = "stream", description = "Run the streaming job: Kafka events into gold facts and live metrics, "
            + "exactly once; until Ctrl-C, for --seconds, or (--available-now) until caught up.")
    static final class Stream implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @Option(names = "--available-now", description = "Process what Kafka holds now, then stop.")
        boolean availableNow;

        @Option(names = "--seconds", description = "Stop after this many seconds (0: run until Ctrl-C; default: "
                + "${DEFAULT-VALUE}).", defaultValue = "0")
        long seconds;

        @Option(names = "--print-every", description = "Seconds between live metric printouts (default: ${DEFAULT-VALUE}).",
                defaultValue = "10")
        long printEvery;

        @Override
        public Integer call() {
            return parent.withLake("shoplake-stream", (spark, config) -> {
                var stream = new dev.shoplake.streaming.EventStream(spark, config);
                stream.start(availableNow);
                Runtime.getRuntime().addShutdownHook(new Thread(stream::stop));
                long deadline = seconds > 0 ? System.currentTimeMillis() + seconds * 1000 : Long.MAX_VALUE;
                try {
                    boolean stopped = false;
                    while (!stopped && System.currentTimeMillis() < deadline) {
                        stopped = stream.awaitStopped(Math.min(printEvery * 1000,
                                Math.max(1, deadline - System.currentTimeMillis())));
                        printLive(spark, config);
                    }
                } catch (org.apache.spark.sql.streaming.StreamingQueryException e) {
                    throw new IllegalStateException("streaming query failed: " + e.getMessage(), e);
                }
                stream.stop();
                printStream(spark, config);
                return 0;
            });
        }
    }

    /** The live dashboard's numbers: the last minutes of traffic and the stock alerts. */
    static void printLive(org.apache.spark.sql.SparkSession spark, LakehouseConfig config) {
        spark.sql("""
                SELECT date_format(minute, 'yyyy-MM-dd HH:mm') AS minute, sessions, page_views, store_actions,
                       carts_created, checkouts, orders_paid, revenue
                FROM gold.live_traffic_minute
                WHERE date_key = (SELECT max(date_key) FROM gold.live_traffic_minute)
                ORDER BY minute DESC LIMIT 3""").collectAsList().forEach(r -> say(
                String.format("  %s  sessions %,d  page views %,d  store actions %,d  carts %,d  checkouts %,d  paid %,d"
                        + "  revenue %s", r.getString(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
                        r.getLong(5), r.getLong(6), r.get(7))));
        Row alerts = spark.sql("SELECT count(*), count_if(stock_level = 0) FROM gold.stock_current WHERE stock_level < "
                + config.streaming().stockAlertBelow()).first();
        say(String.format("  stock alerts (below %d): %d product(s), %d out of stock",
                config.streaming().stockAlertBelow(), alerts.getLong(0), alerts.getLong(1)));
    }

    /** What the stream has written, by table name. */
    static void printStream(org.apache.spark.sql.SparkSession spark, LakehouseConfig config) {
        for (String table : List.of("gold.fact_cart_activity", "gold.fact_product_stock", "gold.stock_current",
                "gold.live_traffic_minute", "bronze.events_quarantine")) {
            say(String.format("  %-28s %,10d", table, spark.table(table).count()));
        }
        Row progress = spark.sql("""
                SELECT count(*), coalesce(sum(input_rows), 0), percentile_approx(duration_ms, 0.5),
                       percentile_approx(max_latency_ms, 0.5)
                FROM ops.stream_progress WHERE query = 'gold_facts' AND input_rows > 0""").first();
        say(String.format("  micro-batches %,d, records %,d, median batch %s ms, median latency %s ms",
                progress.getLong(0), progress.getLong(1), progress.get(2), progress.get(3)));
        printWaiting(dev.shoplake.ops.WaitingFacts.counts(new dev.shoplake.lake.DeltaWriter(spark, config.lakeRoot())));
    }

    @Command(name = "bench", description = "Benchmark the backfill: start a stack in its own directory, seed at --sf, "
            + "backfill --days, and write a report to target/bench/.")
    static final class Bench implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @Option(names = "--sf", description = "Scale factor (default: ${DEFAULT-VALUE}).", defaultValue = "0.1")
        double scaleFactor;

        @Option(names = "--days", description = "Simulated days (default: ${DEFAULT-VALUE}).", defaultValue = "365")
        int days;

        @Option(names = "--batch", description = "Then run the batch lakehouse on it (first full run), simulate one "
                + "more day and run it again (incremental): wall time per layer.")
        boolean batch;

        private String benchBatch(Settings settings, LakehouseConfig config) {
            var spark = dev.shoplake.lake.LakeSession.open("shoplake-bench-batch", settings, config);
            StringBuilder out = new StringBuilder("\n## Batch (").append(spark.sparkContext().master()).append(")\n\n")
                    .append("| run | wall time | bronze / silver / gold |\n|---|---:|---|\n");
            try {
                for (String run : List.of("first full run", "one more simulated day (incremental)")) {
                    if (!run.startsWith("first")) {
                        try (var sim = ShopSimulator.open(config)) {
                            sim.backfill(1, null);
                        }
                    }
                    long started = System.nanoTime();
                    Map<String, Long> layers = runBatch(spark, config, false);
                    out.append(String.format("| %s | %.1f s | %.1f s / %.1f s / %.1f s |%n", run,
                            (System.nanoTime() - started) / 1e9, layers.get("bronze") / 1e3, layers.get("silver") / 1e3,
                            layers.get("gold") / 1e3));
                }
            } finally {
                spark.stop();
            }
            return out.toString();
        }

        @Option(names = "--stream", description = "Then stream the backlog into gold (availableNow) and follow the "
                + "shop live for --live-seconds: events/s and event-to-gold latency.")
        boolean stream;

        @Option(names = "--live-seconds", description = "Live phase of --stream (default: ${DEFAULT-VALUE}).",
                defaultValue = "120")
        long liveSeconds;

        private String benchStream(Settings settings, LakehouseConfig config) {
            var spark = dev.shoplake.lake.LakeSession.open("shoplake-bench-stream", settings, config);
            StringBuilder out = new StringBuilder("\n## Streaming (").append(spark.sparkContext().master())
                    .append(", max-offsets-per-trigger ").append(config.streaming().maxOffsetsPerTrigger()).append(")\n\n");
            try {
                var catchUp = new dev.shoplake.streaming.EventStream(spark, config);
                long started = System.nanoTime();
                catchUp.start(true);
                catchUp.awaitStopped(Long.MAX_VALUE / 4);
                double secs = (System.nanoTime() - started) / 1e9;
                Row backlog = spark.sql("SELECT coalesce(sum(input_rows), 0), count(*), percentile_approx(duration_ms, 0.5) "
                        + "FROM ops.stream_progress WHERE query = 'gold_facts'").first();
                out.append(String.format("- backlog (availableNow): %,d Kafka records in %.1f s = %,.0f records/s "
                                + "sustained, %d micro-batches (median %s ms), both queries running%n",
                        backlog.getLong(0), secs, backlog.getLong(0) / secs, backlog.getLong(1), backlog.get(2)));
                long liveFrom = System.currentTimeMillis();
                var live = new dev.shoplake.streaming.EventStream(spark, config);
                live.start(false);
                try (var sim = ShopSimulator.open(config)) {
                    printSummary(sim.live(Duration.ofSeconds(liveSeconds), Clock.systemUTC(), line -> { }));
                }
                live.processAllAvailable();
                live.stop();
                Row latency = spark.sql("SELECT count(*), coalesce(sum(input_rows), 0), "
                        + "percentile_approx(max_latency_ms, 0.5), percentile_approx(max_latency_ms, 0.95), "
                        + "max(max_latency_ms), percentile_approx(duration_ms, 0.5) FROM ops.stream_progress "
                        + "WHERE query = 'gold_facts' AND input_rows > 0 AND batch_started_at >= timestamp_millis("
                        + liveFrom + ")").first();
                out.append(String.format("- live, %d s at a tick every %d s: %,d records in %d micro-batches (median "
                                + "%s ms); event-to-gold latency (gold commit minus the batch's oldest event time) "
                                + "median %s ms, p95 %s ms, max %s ms%n", liveSeconds, config.simulator().tickSeconds(),
                        latency.getLong(1), latency.getLong(0), latency.get(5), latency.get(2), latency.get(3),
                        latency.get(4)));
            } catch (org.apache.spark.sql.streaming.StreamingQueryException e) {
                throw new IllegalStateException(e);
            } finally {
                spark.stop();
            }
            return out.toString();
        }

        @Override
        public Integer call() throws IOException {
            String dir = "target/bench/stack-sf" + scaleFactor;
            parent.overrides.add("spark.lakehouse.stack.dir=" + dir);
            parent.overrides.add("spark.lakehouse.sim.scale-factor=" + scaleFactor);
            parent.overrides.add("spark.lakehouse.lake.root=" + dir + "/lake");
            LakehouseConfig config = parent.config();
            if (Files.exists(Path.of(dir))) {
                throw new ConfigException("bench directory " + dir + " exists: remove it for a clean run");
            }
            StringBuilder report = new StringBuilder();
            try (LocalStack stack = LocalStack.start(config)) {
                ShopDatabase db = new ShopDatabase(config.postgres());
                db.migrate();
                // --batch simulates one more day: it must still be in the past (Kafka refuses future timestamps)
                LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(days + (batch ? 1 : 0));
                long seedStart = System.nanoTime();
                seed(config, start);
                double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
                long seededRows = db.rowCounts().values().stream().mapToLong(Long::longValue).sum();
                ShopSimulator.Summary s;
                try (var sim = ShopSimulator.open(config)) {
                    s = sim.backfill(days, null);
                }
                var counts = db.rowCounts();
                double secs = s.elapsed().toMillis() / 1000.0;
                long rows = counts.values().stream().mapToLong(Long::longValue).sum() - seededRows;
                report.append("# Backfill benchmark, SF").append(scaleFactor).append(", ").append(days).append(" days\n\n")
                        .append(String.format("- seed: %,d rows in %.1f s (%,.0f rows/s)%n", seededRows, seedSeconds,
                                seededRows / seedSeconds))
                        .append(String.format("- backfill: %,d ticks, %.1f s; %,d rows now in the shop's tables that "
                                + "were not after seeding (%,.0f rows/s net), %,d events (%,.0f events/s)%n",
                                s.ticks(), secs, rows, rows / secs, s.events(), s.events() / secs))
                        .append(String.format("- machine: %d cores, java %s%n", Runtime.getRuntime().availableProcessors(),
                                System.getProperty("java.version")))
                        .append("\n| table | rows |\n|---|---:|\n");
                counts.forEach((t, n) -> report.append(String.format("| %s | %,d |%n", t, n)));
                if (batch) {
                    report.append(benchBatch(parent.settings(), config));
                }
                if (stream) {
                    report.append(benchStream(parent.settings(), config));
                }
            }
            Path out = Path.of("target/bench/backfill-sf" + scaleFactor + "-" + days + "d" + (batch ? "-batch" : "")
                    + (stream ? "-stream" : "") + ".md");
            Files.writeString(out, report);
            System.out.print(report);
            say("report: " + out);
            return 0;
        }
    }

    @Command(name = "batch", description = "Run the batch lakehouse: bronze (PostgreSQL, FTP reports), silver, gold. "
            + "One run at a time per lake: a second one exits 2 naming the holder, or waits with --wait.")
    static final class Batch implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @Option(names = "--full-refresh", description = "Rebuild every gold row from silver, not only what landed since "
                + "the last run (the result is the same; use it after changing the gold model).")
        boolean fullRefresh;

        @Option(names = "--wait", description = "Wait for a batch that holds the lake's run lock to finish, "
                + "instead of exiting 2.")
        boolean waitForLock;

        @Override
        public Integer call() {
            LakehouseConfig config = parent.config();
            // taken before Spark starts: a refused run costs nothing
            try (var lock = batchLock(config, parent.hadoopConf(), waitForLock ? Duration.ofHours(12) : Duration.ZERO)) {
                return parent.withLake("shoplake-batch", (spark, c) -> {
                    runBatch(spark, c, fullRefresh);
                    return 0;
                });
            }
        }
    }

    /** The lake's batch lock: touched every 10 s while held, taken over when untouched for 2 minutes. */
    static dev.shoplake.ops.RunLock batchLock(LakehouseConfig config, org.apache.hadoop.conf.Configuration hadoop,
                                              Duration wait) {
        var lock = dev.shoplake.ops.RunLock.acquire(config.lakeRoot(), "batch", hadoop, wait, Duration.ofSeconds(10),
                Duration.ofMinutes(2));
        if (lock.tookOver() != null) {
            say("took over the batch lock of a run that died: " + lock.tookOver());
        }
        return lock;
    }

    /** Hadoop settings for the lake outside Spark (spark.hadoop.* keys, as Spark would pass them). */
    org.apache.hadoop.conf.Configuration hadoopConf() {
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        settings().asMap().forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                conf.set(k.substring("spark.hadoop.".length()), v);
            }
        });
        return conf;
    }

    /** bronze, then silver, then gold, each recorded in ops.job_runs; prints each table's summary. */
    static Map<String, Long> runBatch(org.apache.spark.sql.SparkSession spark, LakehouseConfig config,
                                      boolean fullRefresh) {
        Map<String, Long> elapsed = new java.util.LinkedHashMap<>();
        var bronze = dev.shoplake.bronze.BronzeJob.run(spark, config);
        elapsed.put("bronze", bronze.run().elapsedMs());
        printBatch(bronze);
        var writer = new dev.shoplake.lake.DeltaWriter(spark, config.lakeRoot());
        for (String layer : List.of("silver", "gold")) {
            var run = new dev.shoplake.ops.JobRun(layer);
            try {
                if (layer.equals("silver")) {
                    new dev.shoplake.silver.SilverJob(spark, writer, config.batchParallelTables()).run(run);
                } else {
                    new dev.shoplake.gold.GoldJob(spark, writer, config.batchParallelTables(), fullRefresh).run(run);
                }
            } catch (RuntimeException e) {
                // a failed run is in the audit too, with its error
                run.add(new dev.shoplake.ops.JobRun.TableResult("(run)", "failed", 0, 0, 0, run.elapsedMs(),
                        dev.shoplake.query.SqlShell.oneLine(e)));
                try {
                    run.record(spark, writer);
                } catch (RuntimeException auditFailed) {
                    e.addSuppressed(auditFailed);
                }
                throw e;
            }
            run.record(spark, writer);
            elapsed.put(layer, run.elapsedMs());
            say(layer + " run " + run.runId() + " (" + run.elapsedMs() + " ms):");
            run.results().forEach(r -> say("  " + r.summary()));
            if (layer.equals("gold")) {
                printWaiting(dev.shoplake.ops.WaitingFacts.record(spark, writer, run.runId(), java.time.Instant.now(),
                        config.waitingAlarmAfter()));
            }
        }
        return elapsed;
    }

    /** Facts still waiting for their dimension, per table, with the oldest one's event time. */
    static void printWaiting(List<Row> waiting) {
        for (Row r : waiting) {
            if (r.getLong(1) > 0) {
                say(String.format("  waiting for a dimension: %-28s %,d fact(s), the oldest since %s", r.getString(0),
                        r.getLong(1), r.get(2)));
            }
        }
    }

    /** Gold row counts and a few business numbers, by table name, as anyone would query them. */
    static void printGold(org.apache.spark.sql.SparkSession spark) {
        say("gold rows:");
        for (var spec : dev.shoplake.lake.LakeTables.all()) {
            if (spec.layer().equals("gold") && spark.catalog().tableExists(spec.qualifiedName())) {
                say(String.format("  %-28s %,10d", spec.qualifiedName(), spark.table(spec.qualifiedName()).count()));
            }
        }
        var numbers = spark.sql("""
                SELECT count(*) AS orders,
                       count_if(order_status = 'Completed') AS completed,
                       coalesce(sum(CASE WHEN order_status = 'Completed' THEN total_amount END), 0) AS revenue,
                       round(100.0 * count_if(order_status = 'Canceled') / greatest(count(*), 1), 1) AS failed_pct
                FROM gold.fact_sales WHERE NOT is_deleted""").first();
        say(String.format("orders %,d, completed %,d, completed revenue %s, failed orders %s%%", numbers.getLong(0),
                numbers.getLong(1), numbers.get(2), numbers.get(3)));
        spark.sql("""
                SELECT p.name, sum(f.quantity) AS units
                FROM gold.fact_order_details f JOIN gold.dim_product p ON p.product_key = f.product_key
                WHERE f.order_status = 'Completed' GROUP BY p.name ORDER BY units DESC, p.name LIMIT 3""")
                .collectAsList().forEach(r -> say("  top product: " + r.getString(0) + " (" + r.get(1) + " units)"));
        if (spark.catalog().tableExists("gold.fact_support_ticket")) {
            spark.sql("SELECT status, count(*) FROM gold.fact_support_ticket GROUP BY status ORDER BY status")
                    .collectAsList().forEach(r -> say("  tickets " + r.getString(0) + ": " + r.getLong(1)));
        }
    }

    @Command(name = "tables", description = "Print every lake table: grain, keys, partitioning, description "
            + "(Markdown); --erd the gold star schema, --pipeline the pipeline, --source-erd the source database "
            + "(read from its catalog), as Mermaid diagrams.")
    static final class Tables implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @Option(names = "--erd", description = "Print the gold star schema diagram instead.")
        boolean erd;

        @Option(names = "--pipeline", description = "Print the pipeline diagram instead.")
        boolean pipeline;

        @Option(names = "--source-erd", description = "Print the source database's ERD, read from its catalog.")
        boolean sourceErd;

        @Override
        public Integer call() throws java.sql.SQLException {
            if (sourceErd) {
                var pg = parent.config().postgres();
                try (var c = java.sql.DriverManager.getConnection(pg.url(), pg.user(), pg.requirePassword())) {
                    System.out.print(dev.shoplake.source.db.SourceErd.generate(c));
                }
                return 0;
            }
            System.out.print(erd ? dev.shoplake.lake.TableDocs.goldErd() : pipeline
                    ? dev.shoplake.lake.TableDocs.pipeline() : dev.shoplake.lake.TableDocs.tableList());
            return 0;
        }
    }

    @Command(name = "reconcile", description = "Compare gold with the source database per day; exit 1 on any difference.")
    static final class Reconcile implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @Override
        public Integer call() {
            return parent.withLake("shoplake-reconcile", (spark, config) -> {
                List<dev.shoplake.ops.Reconciliation.Difference> differences;
                try {
                    differences = dev.shoplake.ops.Reconciliation.compare(spark,
                            new dev.shoplake.lake.DeltaWriter(spark, config.lakeRoot()), config.postgres());
                } catch (java.sql.SQLException e) {
                    throw new ConfigException("cannot read PostgreSQL at " + config.postgres().url() + ": "
                            + e.getMessage(), e);
                }
                differences.forEach(d -> say("DIFFERENCE " + d));
                say(differences.isEmpty() ? "gold agrees with the source database" : differences.size() + " difference(s)");
                return differences.isEmpty() ? 0 : 1;
            });
        }
    }

    static void printBatch(dev.shoplake.bronze.BronzeJob.Result result) {
        say("bronze run " + result.run().runId() + " (" + result.run().elapsedMs() + " ms):");
        result.run().results().forEach(r -> say("  " + r.summary()));
        if (!result.reports().missingDays().isEmpty()) {
            say("ALARM: daily reports missing (deleted before they were landed): " + result.reports().missingDays());
        }
    }
}
