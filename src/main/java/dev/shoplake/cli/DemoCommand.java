package dev.shoplake.cli;

import dev.shoplake.bronze.ReportLandingZone;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.dashboard.DashboardServer;
import dev.shoplake.lake.LakeSession;
import dev.shoplake.serve.ConnectServer;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.stack.LocalStack;
import dev.shoplake.streaming.EventStream;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lakehouse demo}: the whole product on one machine, and it stays up. Starts the stack and
 * the dashboard, seeds a shop, backfills a month (keeping each day's support report in the lake's
 * landing zone on its own day, before the simulator deletes it, as a daily schedule would: one
 * batch then lands the month), runs the batch, then keeps the shop live: the simulator, the
 * stream, a batch every few minutes and the dashboard, until Ctrl-C (or --live-seconds).
 */
@Command(name = "demo", description = "Start the stack and the dashboard, backfill a simulated month, run the batch, "
        + "then keep the shop live (simulator, stream, a batch every few minutes) until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--days", description = "Days of history on a fresh shop (default: ${DEFAULT-VALUE}).",
            defaultValue = "30")
    int days;

    @Option(names = "--live-seconds", description = "Stop after this many seconds live (0: until Ctrl-C; "
            + "default: ${DEFAULT-VALUE}).", defaultValue = "0")
    long liveSeconds;

    @Option(names = "--batch-every", description = "Seconds between live batch runs (default: ${DEFAULT-VALUE}).",
            defaultValue = "300")
    long batchEvery;

    @Option(names = "--port", description = "Dashboard port (default: ${DEFAULT-VALUE}).", defaultValue = "8765")
    int port;

    @Option(names = "--speed", description = "Live traffic as this many times a backfilled day's pace (default: "
            + "${DEFAULT-VALUE}: a simulated day every 5 minutes, the batch's period; 1 is the real pace).",
            defaultValue = "288")
    double speed;

    private static void say(String line) {
        Lakehouse.say(line);
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Settings settings = parent.settings().with("spark.lakehouse.sim.speed", String.valueOf(speed));
        LakehouseConfig config = parent.config(settings);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable hook = () -> {
            stop.countDown();
            awaitQuietly(stopped, 170); // let the demo stop its parts before the JVM goes
        };
        // Ctrl-C: through Hadoop's hook manager, at a priority above Spark's own hooks, so the demo stops
        // the stream and the simulator before Spark stops its context under them
        org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(hook, 100, 180, TimeUnit.SECONDS);
        try (LocalStack stack = LocalStack.start(config)) {
            say("[1/5] local stack is up:");
            stack.endpoints().forEach(e -> say("      " + e));
            ShopDatabase db = new ShopDatabase(config.postgres());
            db.migrate();
            if (db.rowCounts().get("customers") == 0) {
                Lakehouse.seed(config, LocalDate.now(ZoneOffset.UTC).minusDays(days));
            }
            SparkSession spark = LakeSession.open("shoplake-demo", settings, config);
            try (DashboardServer dashboard = DashboardCommand.serve(spark, config, "127.0.0.1", port,
                    String.format("live shop at %sx a day's pace", trim(speed)));
                 ConnectServer connect = serveConnect(spark, config.serve());
                 dev.shoplake.streaming.EventAgeLog ages = dev.shoplake.streaming.EventAgeLog.everyMinute(DemoCommand::say)) {
                say("[2/5] dashboard: " + dashboard.url() + " (fills in as the lake does)");
                backfill(spark, config);
                // live at once: the stream and the shop start now, the first batch runs beside them (the
                // live tiles move from the first micro-batch; the batch tiles fill in when it lands)
                EventStream stream = new EventStream(spark, config);
                stream.addListener(dashboard.data().live()); // the live tiles move with each micro-batch, no query
                stream.addListener(ages); // the console says how late the stream is, once a minute
                stream.start(false);
                say(String.format("[4/5] live after %.0f s: the shop ticks every %d s at %sx a day's pace, the stream "
                        + "follows it; the first batch (bronze, silver, gold) runs now, then one every %d s",
                        (System.nanoTime() - started) / 1e9, config.simulator().tickSeconds(), trim(speed), batchEvery));
                printWhere(config, dashboard, connect);
                live(spark, config, stream, stop, started);
            } finally {
                spark.stop();
            }
        } finally {
            say("demo stopped");
            stopped.countDown();
            if (!org.apache.hadoop.util.ShutdownHookManager.get().isShutdownInProgress()) {
                org.apache.hadoop.util.ShutdownHookManager.get().removeShutdownHook(hook);
            }
        }
        return 0;
    }

    /** Simulates the missing days one by one, keeping each day's report before the next day deletes it. */
    private void backfill(SparkSession spark, LakehouseConfig config) {
        ReportLandingZone zone = new ReportLandingZone(config.lakeRoot(), spark.sparkContext().hadoopConfiguration());
        try (var sim = ShopSimulator.open(config)) {
            int behind = (int) Duration.between(sim.clock(), LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC)
                    .toInstant()).toDays();
            if (behind <= 0) {
                say("[3/5] backfill: the shop is up to date");
            }
            long t0 = System.nanoTime();
            for (int d = 1; d <= behind; d++) {
                ShopSimulator.Summary day = sim.backfill(1, null);
                List<String> kept = zone.fetchNew(config.ftp());
                say(String.format("[3/5] backfill day %d/%d: %s, %,d events, report kept: %s (%.0f s)", d, behind,
                        day.clock().atZone(ZoneOffset.UTC).toLocalDate().minusDays(1), day.events(),
                        kept.isEmpty() ? "none" : String.join(", ", kept), (System.nanoTime() - t0) / 1e9));
            }
        }
    }

    private void live(SparkSession spark, LakehouseConfig config, EventStream stream, CountDownLatch stop,
                      long started) throws InterruptedException {
        ExecutorService simulator = Executors.newSingleThreadExecutor(r -> new Thread(r, "demo-simulator"));
        ScheduledExecutorService batches = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "demo-batch"));
        java.util.concurrent.atomic.AtomicBoolean stopSimulator = new java.util.concurrent.atomic.AtomicBoolean();
        Future<ShopSimulator.Summary> running = simulator.submit(() -> {
            try (var sim = ShopSimulator.open(config)) {
                return sim.live(null, Clock.systemUTC(), line -> { }, stopSimulator::get);
            }
        });
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        batches.scheduleWithFixedDelay(() -> {
            boolean isFirst = first.getAndSet(false);
            // the first batch may wait for a batch another process holds; later ones skip a held lock
            try (var lock = BatchCommand.lock(config, spark.sparkContext().hadoopConfiguration(),
                    isFirst ? Duration.ofMinutes(30) : Duration.ZERO)) {
                say(isFirst ? "first batch: bronze, silver, gold" : "batch (every " + batchEvery + " s):");
                // the batch's jobs in a group of their own (its table threads inherit it): Ctrl-C cancels them
                spark.sparkContext().setJobGroup(LIVE_BATCH, "demo: scheduled batch", true);
                dev.shoplake.pipeline.BatchPipeline.run(spark, config, false, Lakehouse::say);
                if (isFirst) {
                    GoldSummary.print(spark);
                    say(String.format("[5/5] the first batch landed after %.0f s: every tile of the dashboard has its "
                            + "numbers", (System.nanoTime() - started) / 1e9));
                }
            } catch (Exception e) { // Spark's own exceptions are checked ones, thrown undeclared
                say("batch failed (the next one retries): " + dev.shoplake.ops.JobRun.errorLine(e));
            } finally {
                spark.sparkContext().clearJobGroup();
            }
        }, 0, batchEvery, TimeUnit.SECONDS);
        try {
            long deadline = liveSeconds > 0 ? System.currentTimeMillis() + liveSeconds * 1000 : Long.MAX_VALUE;
            while (!stop.await(Math.min(30_000, Math.max(1, deadline - System.currentTimeMillis())),
                    TimeUnit.MILLISECONDS) && System.currentTimeMillis() < deadline) {
                if (running.isDone()) {
                    say("the simulator stopped: " + outcome(running));
                    break;
                }
                StreamCommand.printLive(spark, config);
            }
        } finally {
            say("stopping: simulator, batch schedule, stream, dashboard, stack ...");
            stopSimulator.set(true); // between two ticks: never between a tick's database and Kafka commits
            simulator.shutdown();
            batches.shutdown(); // no new batch starts
            // one under way is cancelled, not awaited: the stack goes down with the JVM (PostgreSQL and the
            // broker stop on their own hooks), and a batch reading from it could wait for minutes. Its
            // future jobs too: a table's work is mostly driver-side between short jobs, so cancelling the
            // jobs running at this instant alone let the run go on through silver and gold. A cancelled
            // run is recorded as failed (or not at all) and the next run does its work again.
            quietCancelledBatch();
            spark.sparkContext().cancelJobGroupAndFutureJobs(LIVE_BATCH);
            simulator.awaitTermination(60, TimeUnit.SECONDS);
            batches.awaitTermination(300, TimeUnit.SECONDS);
            try {
                stream.stop();
                StreamCommand.printLive(spark, config);
                StreamCommand.printStream(spark, config);
            } catch (RuntimeException e) {
                say("while stopping the stream: " + dev.shoplake.ops.JobRun.errorLine(e)); // the stack still stops
            }
        }
    }

    /**
     * Delta logs each of the cancelled batch's MERGEs and writes as an error with a stack trace, and
     * Spark each killed task as a warning: expected at Ctrl-C, and the batch's own line says it failed.
     */
    private static void quietCancelledBatch() {
        for (String logger : List.of("org.apache.spark.sql.delta", "org.apache.spark.scheduler.TaskSetManager")) {
            org.apache.logging.log4j.core.config.Configurator.setLevel(logger, org.apache.logging.log4j.Level.OFF);
        }
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** The Spark job group of the scheduled batches. */
    private static final String LIVE_BATCH = "shoplake-demo-batch";

    private static String outcome(Future<ShopSimulator.Summary> f) {
        try {
            return "ran " + f.get().ticks() + " ticks";
        } catch (Exception e) {
            return dev.shoplake.ops.JobRun.errorLine(e);
        }
    }

    /**
     * The demo's warm Spark over Spark Connect too, so {@code lakehouse sql} and any client ask it
     * instead of starting a Spark of their own; without a token or with the port taken the demo
     * goes on without it, and says why.
     */
    private static ConnectServer serveConnect(SparkSession spark, LakehouseConfig.Serve serve) {
        try {
            return ConnectServer.start(spark, serve);
        } catch (dev.shoplake.config.LakehouseException e) {
            say("      no Spark Connect server: " + e.getMessage());
            return null;
        }
    }

    private static void printWhere(LakehouseConfig config, DashboardServer dashboard, ConnectServer connect) {
        say("");
        say("  dashboard   " + dashboard.url());
        say("  lake        " + config.lakeRoot());
        if (connect != null) {
            say("  connect     " + connect.url() + " (Spark Connect; the token is $" + LakehouseConfig.ENV_CONNECT_TOKEN
                    + ", kept in .stack/secrets.env): 'bin/lakehouse sql' uses it");
        }
        say("  SQL         bin/lakehouse sql -e \"SELECT * FROM gold.fact_sales ORDER BY order_date DESC LIMIT 5\"");
        say("  notebooks   bin/lakehouse notebook   (Jupyter, Java kernel: notebooks/)");
        say("  stop        Ctrl-C");
        say("");
    }

    private static void awaitQuietly(CountDownLatch latch, long seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
