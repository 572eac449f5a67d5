package dev.shoplake.cli;

import dev.shoplake.config.ConfigException;
import dev.shoplake.config.StateException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
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
@Command(name = "lakehouse", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "shoplake: an e-commerce lakehouse on Spark and Delta Lake.",
        subcommands = {Lakehouse.Stack.class, Lakehouse.Seed.class, Lakehouse.Simulate.class, Lakehouse.Status.class,
                DemoCommand.class, BenchCommand.class, BatchCommand.class, StreamCommand.class, ReconcileCommand.class,
                TablesCommand.class, MaintainCommand.class, SqlCommand.class, CatalogCommand.class, DashboardCommand.class,
                NotebookCommand.class, RelayCommand.class, TestCommand.class, ServeCommand.class})
public final class Lakehouse implements SqlHost {
    @CommandLine.Mixin
    ConfigOptions options = new ConfigOptions();

    private final Map<String, String> env;

    Lakehouse(Map<String, String> env) {
        this.env = env;
    }

    Settings settings() {
        return options.settings();
    }

    @Override
    public LakehouseConfig config() {
        return config(settings());
    }

    LakehouseConfig config(Settings s) {
        return LakehouseConfig.from(s, env);
    }

    /** Runs {@code work} with a lake session of this command's settings, every table by name, stopped afterwards. */
    @Override
    public boolean usesConfiguredServer() {
        return false; // bin/lakehouse tried the thin client first; here a Spark of this process's own was asked for
    }

    @Override
    public <T> T withLake(String appName,
                   java.util.function.BiFunction<org.apache.spark.sql.SparkSession, LakehouseConfig, T> work) {
        return withSession(appName, true, work);
    }

    /** The same for a job, which addresses tables by path: no table's log is read to register names. */
    <T> T withJobSession(String appName,
                         java.util.function.BiFunction<org.apache.spark.sql.SparkSession, LakehouseConfig, T> work) {
        return withSession(appName, false, work);
    }

    private <T> T withSession(String appName, boolean names,
                              java.util.function.BiFunction<org.apache.spark.sql.SparkSession, LakehouseConfig, T> work) {
        Settings settings = settings();
        LakehouseConfig config = LakehouseConfig.from(settings, env);
        org.apache.spark.sql.SparkSession spark = names ? dev.shoplake.lake.LakeSession.open(appName, settings, config)
                : dev.shoplake.lake.LakeSession.openUnregistered(appName, settings, config);
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
        cli.setExecutionExceptionHandler(OneLineErrors::oneLine);
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
                        throw new StateException("a stack is already running (pid " + other.get().pid() + ", "
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
}
