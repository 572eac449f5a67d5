package dev.shoplake.pipeline;

import org.junit.jupiter.api.Order;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.AcceptedValues;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.FaultPoints;
import dev.shoplake.ops.DataTests;
import dev.shoplake.source.events.EventTopic;
import dev.shoplake.streaming.EventParser;
import dev.shoplake.streaming.LiveTraffic;
import dev.shoplake.streaming.StreamFacts;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
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
 * The fault suite, on the real stack and the real CLI in JVMs of their own. The stream and the batch
 * are killed with SIGKILL at the points where a crash could lose or double data, each named
 * ({@link FaultPoints}) and each asserted to have been reached: in the stream's first micro-batch
 * after one table's commit (the others not yet, no checkpoint commit ever), with offsets ahead of
 * commits and nothing written, after every table's commit and before the checkpoint's; the batch
 * after a commit in bronze, in silver and in gold. One more kill
 * of the stream lands at a random point from a seed printed in the log ({@code -Dfaults.seed=N}
 * repeats it, {@code -Dfaults.stream-rounds=N} adds rounds). PostgreSQL, the FTP server and the
 * broker are each stopped under a run. After the kills: every stream table against the events in
 * Kafka, the data tests of every layer, gold reconciled with PostgreSQL, a rerun that changes
 * nothing. See RELIABILITY.md.
 */
@Tag("integration")
@Order(3)
class FaultSuiteIT {
    private static final TestStack STACK = TestStack.get();
    private static final long SEED = Long.getLong("faults.seed", System.nanoTime());
    private static final int RANDOM_ROUNDS = Integer.getInteger("faults.stream-rounds", 1);
    /** Where the stream is killed, in this order (a point with @N: its N-th reach in that JVM). */
    private static final List<String> STREAM_KILL_POINTS = List.of(
            "commit:gold.fact_cart_activity", // the first micro-batch ever: one table written, no checkpoint commit yet
            EventStream.BATCH_PLANNED + "@2", // offsets ahead of commits, nothing of the batch written
            EventStream.BATCH_WRITTEN + "@2"); // every table committed, the checkpoint's commit not
    /**
     * Where the batch is killed, each run taking over the dead one's lock: in bronze after a report's
     * lines landed and before its ledger row (PostgreSQL's rows landed under the FTP outage before),
     * in silver and in gold at their first commit (a layer whose run died is done again).
     */
    private static final List<String> BATCH_KILL_POINTS = List.of("commit:bronze.support_tickets",
            "commit:silver.categories", "commit:gold.dim_customer");

    @org.junit.jupiter.api.BeforeAll
    static void sayTheSeed() {
        System.out.println("fault suite seed " + SEED + " (repeat with -Dfaults.seed=" + SEED + ")");
    }

    @Test
    void theStreamKilledAtEachRiskyPointLandsEveryEventExactlyOnce() throws Exception {
        Random random = new Random(SEED);
        Settings settings = STACK.freshShopSettings().with("spark.lakehouse.sim.ticks-per-day", "12")
                .with("spark.lakehouse.stream.trigger-interval", "1 second")
                .with("spark.lakehouse.stream.max-offsets-per-trigger", "600");
        LakehouseConfig config = STACK.config(settings);
        // two days: about a dozen micro-batches of 600 records, for every round to find its point
        TestStack.simulate(config, 2, Instant.parse("2026-07-01T00:00:00Z"), 17);
        Path conf = jobConf(settings);
        Path logs = Files.createTempDirectory("fault-stream-");
        Path checkpoint = Path.of(config.streaming().checkpoint(config.lakeRoot(), EventStream.FACTS));
        List<String> rounds = new ArrayList<>();
        for (int round = 0; round < STREAM_KILL_POINTS.size() + RANDOM_ROUNDS; round++) {
            Path log = logs.resolve("stream-" + round + ".log");
            long committed = TestJvm.lastBatch(checkpoint.resolve("commits"));
            if (round < STREAM_KILL_POINTS.size()) {
                String point = STREAM_KILL_POINTS.get(round);
                Process stream = start(log, withFault(STACK.env(), point), "--config", conf.toString(), "stream",
                        "--seconds", "600", "--print-every", "5");
                assertKilledAt(stream, log, point, 300);
                if (round == 0) {
                    assertEquals(-1, TestJvm.lastBatch(checkpoint.resolve("commits")), "no micro-batch committed yet");
                }
            } else {
                Process stream = start(log, STACK.env(), "--config", conf.toString(), "stream", "--seconds", "600",
                        "--print-every", "5");
                long planned = TestJvm.lastBatch(checkpoint.resolve("offsets"));
                long deadline = System.currentTimeMillis() + 180_000;
                while (stream.isAlive() && System.currentTimeMillis() < deadline
                        && TestJvm.lastBatch(checkpoint.resolve("offsets")) == planned) {
                    Thread.sleep(20);
                }
                long killAfter = random.nextInt(10_000);
                boolean exited = stream.waitFor(killAfter, TimeUnit.MILLISECONDS);
                stream.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no hook, no cleanup
                assertTrue(!exited, "round " + round + ": the stream was still running when killed; see " + log);
                rounds.add("+" + killAfter + " ms after a new plan");
                continue;
            }
            long planned = TestJvm.lastBatch(checkpoint.resolve("offsets"));
            long committedNow = TestJvm.lastBatch(checkpoint.resolve("commits"));
            assertTrue(planned > committedNow, "round " + round + ": killed with micro-batch " + planned
                    + " planned and not committed (committed through " + committedNow + ")");
            rounds.add(STREAM_KILL_POINTS.get(round) + " in batch " + planned + " (committed " + committed + " -> "
                    + committedNow + ")");
        }
        System.out.println("stream killed " + String.join("; ", rounds));

        // the catch-up takes what the kills left in large micro-batches (the checkpoint's planned ones stay as planned)
        Settings catchUp = settings.with("spark.lakehouse.stream.max-offsets-per-trigger", "200000");
        Path caughtUp = logs.resolve("catch-up.log");
        assertEquals(0, exit(start(caughtUp, STACK.env(), "--config", jobConf(catchUp).toString(), "stream",
                "--available-now"), 600), "the catch-up after the last kill finished; see " + caughtUp);
        // the lake read by path, in a session of its own (the classes on the JVM's session run beside this one)
        SparkSession spark = TestSpark.isolated();
        DeltaWriter lake = new DeltaWriter(spark, config.lakeRoot());
        assertStreamTablesEqualTheEvents(spark, lake, config);
        assertDataTestsPass(lake, "after " + rounds.size() + " kill -9s of the stream");
    }

    /**
     * One lake through every outage and crash of the batch: the broker, PostgreSQL and the FTP server
     * each stopped under a run, then, all back, the batch killed in each layer and rerun beside a
     * second batch; it ends equal to its sources, and one more run changes nothing.
     */
    @Test
    void serversStoppedAndBatchesKilledInEachLayerLoseNothingAndEndEqualToTheSources() throws Exception {
        Map<String, String> env = TestStack.secrets();
        Settings chosen = null;
        LocalStack started = null;
        for (int attempt = 1; started == null; attempt++) {
            Path dir = Files.createTempDirectory("fault-stack-");
            chosen = TestStack.baseSettings(dir, Ports.free(), Ports.free(), TestStack.freePair())
                    .with("spark.lakehouse.lake.root", dir.resolve("lake").toString())
                    .with("spark.lakehouse.sim.ticks-per-day", "6");
            try {
                started = LocalStack.start(LakehouseConfig.from(chosen, env));
            } catch (dev.shoplake.config.UnreachableException taken) {
                // a free port can be taken by another connection's ephemeral port before the stack binds it
                // (the stack checks every port before it starts anything): choose again
                if (attempt == 3 || !String.valueOf(taken.getMessage()).contains("already in use")) {
                    throw taken;
                }
            }
        }
        Settings settings = chosen;
        LakehouseConfig config = LakehouseConfig.from(settings, env);
        Path conf = jobConf(settings);
        Path logs = Files.createTempDirectory("fault-servers-");
        try (LocalStack stack = started) {
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
            // Kafka holds every event the outbox holds (the stream's exactly-once over them is the other test's)
            java.util.Set<String> sent = new java.util.TreeSet<>();
            Events.readAll(config.kafka()).forEach(e -> sent.add(e.body().path("event_id").asText()));
            assertEquals(new java.util.TreeSet<>(outboxEventIds(config)), sent,
                    "each event of the outbox is in Kafka, the ones that waited for the broker too");

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

            // all back: the batch killed in each layer, each run taking over the dead one's lock
            for (String point : BATCH_KILL_POINTS) {
                Path log = logs.resolve("killed-" + point.replace(':', '-') + ".log");
                assertKilledAt(start(log, withFault(env, point), "--config", conf.toString(), "batch"), log, point, 600);
            }
            // the rerun takes over the dead run's lock at once; a second batch started beside it is refused
            Process rerun = start(logs.resolve("rerun.log"), env, "--config", conf.toString(), "batch");
            waitForLock(config, rerun);
            Process second = start(logs.resolve("second.log"), env, "--config", conf.toString(), "batch");
            assertEquals(2, exit(second, 120), "the second batch exits 2");
            assertOneErrorLine(logs.resolve("second.log"), "error: another batch run holds the lake's lock .*: pid "
                    + rerun.pid() + " on .*");
            // exit 0: its data tests of what it wrote passed too
            assertEquals(0, exit(rerun, 900), "the rerun finished; see " + logs.resolve("rerun.log"));
            assertTrue(Files.readString(logs.resolve("rerun.log")).contains("took over the batch lock of a run that died"),
                    "the rerun says whose lock it took over");

            SparkSession spark = TestSpark.isolated(); // the lake by path, beside the classes on the JVM's session
            DeltaWriter lake = new DeltaWriter(spark, config.lakeRoot());
            assertEquals(List.of(), Reconciliation.compare(spark, lake, config.postgres()),
                    "gold = PostgreSQL after each server was away and the batch was killed in each layer");
            assertDataTestsPass(lake, "after the outages, the kills and the rerun");
            assertEquals(1L, lake.read(LakeTables.BRONZE_REPORT_FILES).where("report_date = DATE'2026-09-03'")
                    .count(),
                    "the report the FTP server held while it was away landed once it was back, once");

            Map<String, Long> versions = versions(lake);
            assertEquals(0, exit(start(logs.resolve("again.log"), env, "--config", conf.toString(), "batch"), 600));
            assertEquals(versions, versions(lake), "a run with nothing new commits nothing to silver or gold");
        }
    }

    /** The event id of every event in the outbox. */
    private static List<String> outboxEventIds(LakehouseConfig config) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = new ShopDatabase(config.postgres()).connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT payload::json->>'event_id' FROM outbox.events")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static Map<String, String> withFault(Map<String, String> env, String point) {
        Map<String, String> with = new java.util.HashMap<>(env);
        with.put(FaultPoints.ENV, point);
        return with;
    }

    /** The JVM reached {@code point} and died of SIGKILL there (exit 137), within {@code seconds}. */
    private static void assertKilledAt(Process p, Path log, String point, long seconds) throws Exception {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("fault point " + point + " not reached in " + seconds + " s; see " + log);
        }
        assertTrue(Files.readString(log).contains("fault point " + point + " reached: kill -9 of pid " + p.pid()),
                "the JVM died at " + point + " (exit " + p.exitValue() + "); see " + log);
        assertEquals(137, p.exitValue(), "killed by SIGKILL at " + point);
    }

    /** Every test of bronze's, silver's and gold's tables (keys, references, closed lists), each table whole. */
    private static void assertDataTestsPass(DeltaWriter lake, String when) {
        List<String> failed = DataTests.run(lake, DataTests.of(LakeTables.all().stream()
                .filter(t -> !t.layer().equals("ops")).toList())).stream().filter(o -> !o.passed())
                .map(o -> o.test().name() + ": " + o.failures() + " e.g. " + o.example()).toList();
        assertEquals(List.of(), failed, when + ": every data test passes");
    }

    /**
     * Every table the stream writes against the events in Kafka: each cart action and stock change
     * a fact once, each minute's traffic counted once, the stock as PostgreSQL holds it, each
     * quarantined record once.
     */
    private static void assertStreamTablesEqualTheEvents(SparkSession spark, DeltaWriter lake, LakehouseConfig config) throws Exception {
        Map<String, Long> cartActions = new TreeMap<>();
        Map<String, Long> stockChanges = new TreeMap<>();
        for (Events.Event e : Events.readAll(config.kafka())) {
            if (e.topic().equals(config.kafka().storeTopic()) && AcceptedValues.CART_ACTIONS.contains(e.type())) {
                cartActions.putIfAbsent(e.body().get("event_id").asText(), 1L);
            } else if (e.type().equals("STOCK_CHANGED") && e.body().has("delta")) {
                stockChanges.putIfAbsent(e.body().get("event_id").asText(), 1L);
            }
        }
        assertEquals(cartActions, counts(lake, LakeTables.GOLD_FACT_CART_ACTIVITY), "every cart action produced is a fact, once");
        assertEquals(stockChanges, counts(lake, LakeTables.GOLD_FACT_PRODUCT_STOCK), "every stock change produced is a fact, once");
        assertEquals(stockInDatabase(config), stockInGold(lake), "gold.stock_current = products.stock_quantity");
        Map<String, EventTopic> topics = new LinkedHashMap<>();
        for (EventTopic t : EventTopic.values()) {
            topics.put(t.topicName(config.kafka()), t);
        }
        Dataset<Row> kafka = spark.read().format("kafka").option("kafka.bootstrap.servers", config.kafka().bootstrapServers())
                .option("subscribe", String.join(",", topics.keySet())).option("startingOffsets", "earliest")
                .option("kafka.isolation.level", "read_committed").load();
        Dataset<Row> events = EventParser.parse(kafka, topics, new EventParser.Bounds(functions.current_timestamp(),
                config.streaming().futureTolerance(), java.sql.Timestamp.from(config.streaming().earliestEventTime())));
        Dataset<Row> minutes = LiveTraffic.perMinute(StreamFacts.usable(events).where(LiveTraffic.isTraffic()))
                .drop("cart_conversion");
        Dataset<Row> held = lake.read(LakeTables.GOLD_LIVE_TRAFFIC).select(minutes.columns()[0],
                java.util.Arrays.copyOfRange(minutes.columns(), 1, minutes.columns().length));
        assertEquals(List.of(), minutes.exceptAll(held).union(held.exceptAll(minutes)).limit(5).collectAsList(),
                "gold.live_traffic_minute = the events' traffic per minute, each event counted once");
        assertEquals(0L, lake.read(LakeTables.BRONZE_EVENTS_QUARANTINE).groupBy("topic", "partition", "offset").count()
                .where("count > 1").count(), "each quarantined record once");
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

    private static Map<String, Long> counts(DeltaWriter lake, TableSpec table) {
        return lake.read(table).groupBy("event_id").count().collectAsList().stream()
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

    private static Map<Integer, Integer> stockInGold(DeltaWriter lake) {
        Map<Integer, Integer> stock = new TreeMap<>();
        lake.read(LakeTables.GOLD_STOCK_CURRENT).collectAsList().forEach(r -> stock.put(r.getInt(0), r.getInt(1)));
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
