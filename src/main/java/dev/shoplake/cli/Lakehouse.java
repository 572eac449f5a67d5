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
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The command line: one subcommand per user action; each parses, builds the config and calls a job. */
@Command(name = "lakehouse", mixinStandardHelpOptions = true,
        description = "shoplake: an e-commerce lakehouse on Spark and Delta Lake.",
        subcommands = {Lakehouse.Stack.class, Lakehouse.Seed.class, Lakehouse.Simulate.class, Lakehouse.Status.class,
                Lakehouse.Demo.class, Lakehouse.Bench.class, Lakehouse.Batch.class, Lakehouse.Reconcile.class, Lakehouse.Tables.class})
public final class Lakehouse {
    static final Path DEFAULT_CONFIG = Path.of("conf/local.properties");

    @Option(names = "--config", description = "Properties file with spark.lakehouse.* settings (default: "
            + "conf/local.properties when it exists; under spark-submit, the SparkConf).")
    Path configFile;

    @Option(names = "--conf", description = "Override a setting: key=value (repeatable).")
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

    @Command(name = "demo", description = "Start the local stack, seed, backfill the last days, run live a while, print what it made.")
    static final class Demo implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @Option(names = "--days", description = "Days of history on a fresh shop (default: ${DEFAULT-VALUE}).", defaultValue = "3")
        int days;

        @Option(names = "--live-seconds", description = "Seconds of live simulation (default: ${DEFAULT-VALUE}).",
                defaultValue = "30")
        long liveSeconds;

        @Override
        public Integer call() {
            LakehouseConfig config = parent.config();
            try (LocalStack stack = LocalStack.start(config)) {
                say("local stack is up:");
                stack.endpoints().forEach(e -> say("  " + e));
                ShopDatabase db = new ShopDatabase(config.postgres());
                db.migrate();
                if (db.rowCounts().get("customers") == 0) {
                    seed(config, LocalDate.now(ZoneOffset.UTC).minusDays(days));
                }
                try (var sim = ShopSimulator.open(config)) {
                    int behind = (int) Duration.between(sim.clock(), LocalDate.now(ZoneOffset.UTC)
                            .atStartOfDay(ZoneOffset.UTC).toInstant()).toDays();
                    if (behind > 0) {
                        printSummary(sim.backfill(behind, Lakehouse::say));
                    }
                    say("running live for " + liveSeconds + " s (a tick every " + config.simulator().tickSeconds() + " s)");
                    printSummary(sim.live(Duration.ofSeconds(liveSeconds), Clock.systemUTC(), Lakehouse::say));
                }
                SourceSummary.print(config, System.out);
                Settings settings = parent.settings();
                var spark = dev.shoplake.lake.LakeSession.open("shoplake-demo", settings, config);
                try {
                    runBatch(spark, config, false);
                    printGold(spark);
                } finally {
                    spark.stop();
                }
            }
            return 0;
        }
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

        @Override
        public Integer call() throws IOException {
            String dir = "target/bench/stack-sf" + scaleFactor;
            parent.overrides.add("spark.lakehouse.stack.dir=" + dir);
            parent.overrides.add("spark.lakehouse.sim.scale-factor=" + scaleFactor);
            LakehouseConfig config = parent.config();
            if (Files.exists(Path.of(dir))) {
                throw new ConfigException("bench directory " + dir + " exists: remove it for a clean run");
            }
            StringBuilder report = new StringBuilder();
            try (LocalStack stack = LocalStack.start(config)) {
                ShopDatabase db = new ShopDatabase(config.postgres());
                db.migrate();
                LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(days);
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
            }
            Path out = Path.of("target/bench/backfill-sf" + scaleFactor + "-" + days + "d.md");
            Files.writeString(out, report);
            System.out.print(report);
            say("report: " + out);
            return 0;
        }
    }

    @Command(name = "batch", description = "Run the batch lakehouse: bronze (PostgreSQL, FTP reports), silver, gold.")
    static final class Batch implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Lakehouse parent;

        @Option(names = "--full-refresh", description = "Rebuild every gold row from silver, not only what landed since "
                + "the last run (the result is the same; use it after changing the gold model).")
        boolean fullRefresh;

        @Override
        public Integer call() {
            return parent.withLake("shoplake-batch", (spark, config) -> {
                runBatch(spark, config, fullRefresh);
                return 0;
            });
        }
    }

    /** bronze, then silver, then gold, each recorded in ops.job_runs; prints each table's summary. */
    static void runBatch(org.apache.spark.sql.SparkSession spark, LakehouseConfig config, boolean fullRefresh) {
        printBatch(dev.shoplake.bronze.BronzeJob.run(spark, config));
        var writer = new dev.shoplake.lake.DeltaWriter(spark, config.lakeRoot());
        for (String layer : List.of("silver", "gold")) {
            var run = new dev.shoplake.ops.JobRun(layer);
            if (layer.equals("silver")) {
                new dev.shoplake.silver.SilverJob(spark, writer, config.batchParallelTables()).run(run);
            } else {
                new dev.shoplake.gold.GoldJob(spark, writer, config.batchParallelTables(), fullRefresh).run(run);
            }
            run.record(spark, writer);
            say(layer + " run " + run.runId() + " (" + run.elapsedMs() + " ms):");
            run.results().forEach(r -> say("  " + r.summary()));
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

    @Command(name = "tables", description = "Print every lake table: layer, grain, keys, description (Markdown).")
    static final class Tables implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            say("| table | grain | keys | description |");
            say("|---|---|---|---|");
            for (var spec : dev.shoplake.lake.LakeTables.all()) {
                say("| `" + spec.qualifiedName() + "` | " + spec.grain() + " | " + String.join(", ", spec.keys()) + " | "
                        + spec.description() + (spec.checks().isEmpty() ? "" : "; checks: "
                        + String.join("; ", spec.checks().values())) + " |");
            }
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
