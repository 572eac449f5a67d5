package dev.shoplake.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.AcceptedValues;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.Reconciliation;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.stack.LocalStack;
import dev.shoplake.stack.Ports;
import dev.shoplake.streaming.EventStream;
import dev.shoplake.testing.Events;
import dev.shoplake.testing.TestJvm;
import dev.shoplake.testing.TestSpark;
import dev.shoplake.testing.TestStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fault suite, on the real stack and the real CLI in JVMs of their own: the stream killed with
 * kill -9 at random points ten times, a batch killed in the middle of its writes with a second batch
 * started beside the rerun, and PostgreSQL, the FTP server and the broker each stopped under a run.
 * Every round ends in a check against the source: the facts hold each produced event once, gold
 * reconciles with PostgreSQL, a rerun changes nothing. The random points come from a seed printed
 * in the log ({@code -Dfaults.seed=N} repeats a run). See RELIABILITY.md.
 */
@Tag("integration")
class FaultSuiteIT {
    private static final TestStack STACK = TestStack.get();
    private static final long SEED = Long.getLong("faults.seed", System.nanoTime());
    private static final int STREAM_ROUNDS = Integer.getInteger("faults.stream-rounds", 10);

    @org.junit.jupiter.api.BeforeAll
    static void sayTheSeed() {
        System.out.println("fault suite seed " + SEED + " (repeat with -Dfaults.seed=" + SEED + ")");
    }

    @Test
    void theStreamKilledAtRandomPointsLandsEveryEventExactlyOnce() throws Exception {
        Random random = new Random(SEED);
        Settings settings = STACK.freshShopSettings().with("spark.lakehouse.sim.ticks-per-day", "12")
                .with("spark.lakehouse.stream.trigger-interval", "1 second")
                .with("spark.lakehouse.stream.max-offsets-per-trigger", "600");
        LakehouseConfig config = STACK.config(settings);
        TestStack.simulate(config, 2, Instant.parse("2026-07-01T00:00:00Z"), 17);
        Path conf = jobConf(settings);
        Path logs = Files.createTempDirectory("fault-stream-");
        Path checkpoint = Path.of(config.streaming().checkpoint(config.lakeRoot(), EventStream.FACTS));
        List<String> rounds = new ArrayList<>();
        for (int round = 0; round < STREAM_ROUNDS; round++) {
            TestStack.simulate(config, 1, null, 17); // the shop goes on between two crashes
            long planned = TestJvm.lastBatch(checkpoint.resolve("offsets"));
            long committed = TestJvm.lastBatch(checkpoint.resolve("commits"));
            Process stream = start(logs.resolve("stream-" + round + ".log"), STACK.env(), "--config", conf.toString(),
                    "stream", "--seconds", "600", "--print-every", "5");
            // from the moment this JVM has planned or committed a micro-batch, kill it at a random point:
            // during that batch, between two, or in a later one
            long deadline = System.currentTimeMillis() + 180_000;
            while (stream.isAlive() && System.currentTimeMillis() < deadline
                    && TestJvm.lastBatch(checkpoint.resolve("offsets")) == planned
                    && TestJvm.lastBatch(checkpoint.resolve("commits")) == committed) {
                Thread.sleep(20);
            }
            long killAfter = random.nextInt(15_000);
            boolean exited = stream.waitFor(killAfter, TimeUnit.MILLISECONDS);
            stream.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no hook, no cleanup
            assertTrue(!exited, "round " + round + ": the stream was still running when killed; see " + logs);
            long plannedNow = TestJvm.lastBatch(checkpoint.resolve("offsets"));
            long committedNow = TestJvm.lastBatch(checkpoint.resolve("commits"));
            rounds.add(String.format("+%d ms: %s%s", killAfter, committedNow > committed
                            ? "committed " + (committed + 1) + ".." + committedNow : "none committed",
                    plannedNow > committedNow ? ", batch " + plannedNow + " in flight" : ""));
        }
        assertTrue(TestJvm.lastBatch(checkpoint.resolve("commits")) >= STREAM_ROUNDS / 4,
                "the rounds made progress between kills: " + rounds);
        System.out.println("stream killed " + String.join("; ", rounds));

        // the catch-up takes what the kills left in large micro-batches (the checkpoint's planned ones stay as planned)
        Settings catchUp = settings.with("spark.lakehouse.stream.max-offsets-per-trigger", "200000");
        SparkSession spark = TestSpark.forLake(catchUp, config);
        EventStream stream = new EventStream(spark, STACK.config(catchUp));
        stream.start(true);
        try {
            assertTrue(stream.awaitStopped(600_000), "the catch-up after the last kill finished");
        } finally {
            stream.stop();
        }
        Map<String, Long> produced = new TreeMap<>();
        for (Events.Event e : Events.readAll(config.kafka())) {
            if (e.topic().equals(config.kafka().storeTopic()) && AcceptedValues.CART_ACTIONS.contains(e.type())) {
                produced.putIfAbsent(e.body().get("event_id").asText(), 1L);
            }
        }
        assertEquals(produced, counts(spark, "gold.fact_cart_activity"),
                "after " + STREAM_ROUNDS + " kill -9s: every cart action produced is a fact, once");
        assertEquals(stockInDatabase(config), stockInGold(spark), "gold.stock_current = products.stock_quantity");
    }

    @Test
    void aBatchKilledMidWriteIsRerunBesideASecondBatchThenReconcilesAndARerunChangesNothing() throws Exception {
        Random random = new Random(SEED + 1);
        Settings settings = STACK.freshShopSettings();
        LakehouseConfig config = STACK.config(settings);
        TestStack.simulate(config, 6, Instant.parse("2026-06-01T00:00:00Z"), 23);
        Path conf = jobConf(settings);
        Path logs = Files.createTempDirectory("fault-batch-");

        // kill -9 twice: at a random point after the run created its first bronze table, then (the
        // next run, which takes over the dead run's lock) after its first silver table
        List<String> kills = new ArrayList<>();
        for (String layer : List.of("bronze", "silver")) {
            Process killed = start(logs.resolve("killed-in-" + layer + ".log"), STACK.env(), "--config",
                    conf.toString(), "batch");
            long deadline = System.currentTimeMillis() + 300_000;
            while (killed.isAlive() && !anyTableIn(Path.of(config.lakeRoot(), layer))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            long killAfter = random.nextInt(layer.equals("bronze") ? 20_000 : 5_000);
            boolean finished = killed.waitFor(killAfter, TimeUnit.MILLISECONDS);
            killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertTrue(!finished, "the batch was killed in the middle of its run (" + killAfter + " ms after its first "
                    + layer + " table); see " + logs);
            kills.add(killAfter + " ms after its first " + layer + " table");
        }
        System.out.println("batch killed " + kills);
        SparkSession spark = TestSpark.forLake(settings, config);
        DeltaWriter lake = new DeltaWriter(spark, config.lakeRoot());
        for (TableSpec spec : LakeTables.all()) {
            if (lake.exists(spec)) { // each table a reader sees is a whole commit: it reads, and its CHECKs held
                assertTrue(lake.read(spec).count() >= 0, spec.qualifiedName());
            }
        }

        // the rerun takes over the dead run's lock at once; a second batch started beside it is refused
        Process rerun = start(logs.resolve("rerun.log"), STACK.env(), "--config", conf.toString(), "batch");
        waitForLock(config, rerun);
        Process second = start(logs.resolve("second.log"), STACK.env(), "--config", conf.toString(), "batch");
        assertEquals(2, exit(second, 120), "the second batch exits 2");
        assertOneErrorLine(logs.resolve("second.log"), "error: another batch run holds the lake's lock .*: pid "
                + rerun.pid() + " on .*");
        assertEquals(0, exit(rerun, 900), "the rerun finished; see " + logs.resolve("rerun.log"));
        assertTrue(Files.readString(logs.resolve("rerun.log")).contains("took over the batch lock of a run that died"),
                "the rerun says whose lock it took over");

        assertEquals(List.of(), Reconciliation.compare(spark, lake, config.postgres()),
                "after kill -9 and rerun: zero differences with PostgreSQL");
        Map<String, Long> versions = versions(lake);
        assertEquals(0, exit(start(logs.resolve("again.log"), STACK.env(), "--config", conf.toString(), "batch"), 600));
        assertEquals(versions, versions(lake), "a run with nothing new commits nothing to silver or gold");
    }

    @Test
    void serversStoppedUnderARunGiveOneErrorLineAndNothingIsLostOnceTheyAreBack() throws Exception {
        Path dir = Files.createTempDirectory("fault-stack-");
        Settings settings = TestStack.baseSettings(dir, Ports.free(), Ports.free(), TestStack.freePair())
                .with("spark.lakehouse.lake.root", dir.resolve("lake").toString())
                .with("spark.lakehouse.sim.ticks-per-day", "6");
        Map<String, String> env = TestStack.secrets();
        LakehouseConfig config = LakehouseConfig.from(settings, env);
        Path conf = jobConf(settings);
        Path logs = Files.createTempDirectory("fault-servers-");
        try (LocalStack stack = LocalStack.start(config)) {
            try (ShopSimulator sim = ShopSimulator.open(config)) {
                sim.seed(0.01, 31, Instant.parse("2026-09-01T00:00:00Z"));
                sim.backfill(2, null);
            }

            // the broker is down: the shop's day is committed, its events wait in the outbox
            stack.stop(LocalStack.Service.KAFKA);
            Process backfill = start(logs.resolve("backfill.log"), env, "--config", conf.toString(), "simulate",
                    "backfill", "--days", "1");
            assertEquals(2, exit(backfill, 300));
            assertOneErrorLine(logs.resolve("backfill.log"), "error: [0-9,]+ event\\(s\\) wait in the outbox: Kafka at .* "
                    + "'lakehouse relay' sends them when it is back");
            long waiting = scalar(config, "SELECT count(*) FROM outbox.events WHERE published_at IS NULL");
            assertTrue(waiting > 0, "the day's events wait in the outbox");
            stack.start(LocalStack.Service.KAFKA);
            assertEquals(0, exit(start(logs.resolve("relay.log"), env, "--config", conf.toString(), "relay"), 300));
            assertTrue(Files.readString(logs.resolve("relay.log")).contains(String.format("relayed %,d event(s)", waiting)),
                    "the relay sent what waited");

            // PostgreSQL is down under a batch: one line, exit 2
            stack.stop(LocalStack.Service.POSTGRES);
            assertEquals(2, exit(start(logs.resolve("batch-pg.log"), env, "--config", conf.toString(), "batch"), 600));
            assertOneErrorLine(logs.resolve("batch-pg.log"), "error: cannot (connect to|read \\w+ from) PostgreSQL at .*");
            stack.start(LocalStack.Service.POSTGRES);

            // the FTP server is down under a batch: PostgreSQL lands, the reports wait; one line, exit 2
            stack.stop(LocalStack.Service.FTP);
            assertEquals(2, exit(start(logs.resolve("batch-ftp.log"), env, "--config", conf.toString(), "batch"), 600));
            assertOneErrorLine(logs.resolve("batch-ftp.log"), "error: cannot reach the FTP server at .*");
            stack.start(LocalStack.Service.FTP);

            // all back: the batch and the stream catch up; nothing was lost
            assertEquals(0, exit(start(logs.resolve("batch.log"), env, "--config", conf.toString(), "batch"), 900));
            assertEquals(0, exit(start(logs.resolve("stream.log"), env, "--config", conf.toString(), "stream",
                    "--available-now"), 600));
            SparkSession spark = TestSpark.forLake(settings, config);
            DeltaWriter lake = new DeltaWriter(spark, config.lakeRoot());
            assertEquals(List.of(), Reconciliation.compare(spark, lake, config.postgres()),
                    "gold = PostgreSQL after each server was away");
            assertEquals(1L, spark.sql("SELECT count(*) FROM bronze.support_report_files "
                    + "WHERE report_date = DATE'2026-09-03'").first().getLong(0),
                    "the report the FTP server held while it was away landed once it was back");
            Map<String, Long> outbox = new TreeMap<>();
            try (Connection c = new ShopDatabase(config.postgres()).connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT payload::json->>'event_id' FROM outbox.events WHERE "
                         + AcceptedValues.in("payload::json->>'type'", AcceptedValues.CART_ACTIONS))) {
                while (rs.next()) {
                    outbox.put(rs.getString(1), 1L);
                }
            }
            assertEquals(outbox, counts(spark, "gold.fact_cart_activity"), "the stream's facts = the outbox, once each");
            assertEquals(stockInDatabase(config), stockInGold(spark), "gold.stock_current = products.stock_quantity");
        }
    }

    private static Path jobConf(Settings settings) throws IOException {
        return TestJvm.configFile(settings, Files.createTempFile("faults-", ".properties"));
    }

    private static Process start(Path log, Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(TestJvm.lakehouse("1g", args)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static int exit(Process p, long seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("the command did not finish in " + seconds + " s");
        }
        return p.exitValue();
    }

    /** The run said what went wrong in one line (matching {@code pattern}), and no stack trace. */
    private static void assertOneErrorLine(Path log, String pattern) throws IOException {
        List<String> lines = Files.readAllLines(log);
        List<String> errors = lines.stream().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), "one error line in " + log + ": " + errors);
        assertTrue(errors.get(0).matches(pattern), errors.get(0));
        assertEquals(List.of(), lines.stream().filter(l -> l.startsWith("\tat ") || l.startsWith("Exception in thread"))
                .limit(3).toList(), "no stack trace in " + log);
    }

    private static boolean anyTableIn(Path layer) throws IOException {
        if (!Files.isDirectory(layer)) {
            return false;
        }
        try (var tables = Files.list(layer)) {
            return tables.anyMatch(t -> Files.isDirectory(t.resolve("_delta_log")));
        }
    }

    /** Waits until {@code run} holds the lake's batch lock (it took over the dead run's). */
    private static void waitForLock(LakehouseConfig config, Process run) throws Exception {
        Path lock = Path.of(config.lakeRoot(), "_locks", "batch.lock");
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline && run.isAlive()) {
            if (Files.exists(lock) && Files.readString(lock).startsWith("pid " + run.pid() + " ")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the rerun did not take the batch lock");
    }

    private static Map<String, Long> versions(DeltaWriter lake) {
        Map<String, Long> versions = new LinkedHashMap<>();
        for (TableSpec spec : LakeTables.all()) {
            if ((spec.layer().equals("silver") || spec.layer().equals("gold")) && lake.exists(spec)) {
                versions.put(spec.qualifiedName(), lake.version(spec));
            }
        }
        return versions;
    }

    private static Map<String, Long> counts(SparkSession spark, String table) {
        return spark.sql("SELECT event_id, count(*) FROM " + table + " GROUP BY event_id").collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1), (a, b) -> a, TreeMap::new));
    }

    private static Map<Integer, Integer> stockInDatabase(LakehouseConfig config) throws Exception {
        Map<Integer, Integer> stock = new TreeMap<>();
        try (Connection c = new ShopDatabase(config.postgres()).connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, stock_quantity FROM products")) {
            while (rs.next()) {
                stock.put(rs.getInt(1), rs.getInt(2));
            }
        }
        return stock;
    }

    private static Map<Integer, Integer> stockInGold(SparkSession spark) {
        Map<Integer, Integer> stock = new TreeMap<>();
        spark.table("gold.stock_current").collectAsList().forEach(r -> stock.put(r.getInt(0), r.getInt(1)));
        return stock;
    }

    private static long scalar(LakehouseConfig config, String sql) throws Exception {
        try (Connection c = new ShopDatabase(config.postgres()).connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
