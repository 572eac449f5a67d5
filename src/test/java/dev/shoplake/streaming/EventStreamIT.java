package dev.shoplake.streaming;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.bronze.BronzeJob;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.gold.GoldJob;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.ops.JobRun;
import dev.shoplake.silver.SilverJob;
import dev.shoplake.source.events.KafkaEventPublisher;
import dev.shoplake.testing.Events;
import dev.shoplake.testing.TestSpark;
import dev.shoplake.testing.TestStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The streaming job on the real broker and real Delta tables: exactly once across restarts, bad input,
 * late data and late dimensions (kill -9 at each risky point is the fault suite's).
 */
@Tag("integration")
@Order(4)
@ResourceLock(TestSpark.SESSION) // the JVM's one session and catalog, pointed at one lake at a time
class EventStreamIT {
    private static final TestStack STACK = TestStack.get();
    private static final Set<String> CART_ACTIONS = Set.copyOf(dev.shoplake.lake.AcceptedValues.CART_ACTIONS);

    private static Settings streamSettings() {
        return STACK.freshShopSettings()
                .with("spark.lakehouse.sim.ticks-per-day", "4")
                .with("spark.lakehouse.stream.trigger-interval", "1 second")
                // small micro-batches, so every run spans several of them
                .with("spark.lakehouse.stream.max-offsets-per-trigger", "2500");
    }

    /** Well-formed cart actions this test sends with a bad clock or quantity: never facts. */
    private static final java.util.Set<String> QUARANTINED_ON_PURPOSE = java.util.Set.of("b4", "b5");

    @Test
    void factsEqualWhatWasProducedAcrossRestartsWithBadAndDuplicateMessages() throws Exception {
        Settings settings = streamSettings();
        LakehouseConfig config = STACK.config(settings);
        SparkSession spark = TestSpark.forLake(settings, config);
        TestStack.simulate(config, 3, Instant.parse("2026-06-01T00:00:00Z"), 11);
        Events.Event someCartAction = Events.readAll(config.kafka()).stream()
                .filter(e -> e.type().equals("ADD_TO_CART")).findFirst().orElseThrow();
        try (KafkaProducer<String, String> raw = rawProducer(config)) {
            String store = config.kafka().storeTopic();
            raw.send(new ProducerRecord<>(store, someCartAction.key(), someCartAction.body().toString())); // sent twice
            raw.send(new ProducerRecord<>(store, "x", "{\"event_id\": \"broken\", "));
            raw.send(new ProducerRecord<>(store, "x", "{\"event_id\":\"b2\",\"type\":\"TELEPORT\",\"timestamp\":\"2026-06-02T10:00:00Z\"}"));
            raw.send(new ProducerRecord<>(config.kafka().stockTopic(), "x",
                    "{\"event_id\":\"b3\",\"type\":\"STOCK_CHANGED\",\"timestamp\":\"2026-06-02T10:00:00Z\",\"product_id\":1}"));
            // a bad clock and an impossible quantity, well-formed otherwise
            raw.send(new ProducerRecord<>(store, "1", "{\"event_id\":\"b4\",\"type\":\"CREATE_CART\","
                    + "\"timestamp\":\"2030-01-01T00:00:00Z\",\"cart_id\":1,\"customer_id\":1}"));
            raw.send(new ProducerRecord<>(store, "1", "{\"event_id\":\"b5\",\"type\":\"ADD_TO_CART\","
                    + "\"timestamp\":\"2026-06-02T10:00:00Z\",\"cart_id\":1,\"customer_id\":1,\"product_id\":1,"
                    + "\"quantity\":-5,\"unit_price\":1.00}"));
        }

        // 1. before any batch run: facts land with unknown keys rather than waiting or being dropped
        catchUp(spark, config);
        assertFactsEqualTheStream(spark, config);
        assertEquals(List.of(
                        "b2: unknown event type 'TELEPORT' on topic " + config.kafka().storeTopic(),
                        "b3: STOCK_CHANGED without a valid delta",
                        "b4: timestamp 2030-01-01 00:00:00 is more than 5 minutes ahead of the stream's clock (...)",
                        "b5: ADD_TO_CART with quantity -5 out of range (1..100000)",
                        "broken: malformed JSON (not a JSON object)"),
                spark.sql("SELECT coalesce(get_json_object(raw_value, '$.event_id'), 'broken') || ': ' "
                        + "|| regexp_replace(reason, 'clock \\\\(.*\\\\)$', 'clock (...)') "
                        + "FROM bronze.events_quarantine ORDER BY offset, topic").as(org.apache.spark.sql.Encoders.STRING())
                        .collectAsList().stream().sorted().toList());
        assertEquals(0L, count(spark, "SELECT count(*) FROM ops.stream_progress WHERE watermark >= TIMESTAMP'2027-01-01'"),
                "the live watermark moved only with accepted events, never to the bad clock's 2030");
        assertEquals(0L, count(spark, "SELECT count(*) FROM gold.fact_cart_activity WHERE customer_key <> -1"),
                "no customer dimension yet: every key is the unknown member");
        // and they are visible as waiting, with an alarm once they have waited past the threshold
        DeltaWriter lake = new DeltaWriter(spark, config.lakeRoot());
        Row waiting = dev.shoplake.ops.WaitingFacts.counts(lake).stream()
                .filter(r -> r.getString(0).equals("gold.fact_cart_activity")).findFirst().orElseThrow();
        assertEquals(count(spark, "SELECT count(*) FROM gold.fact_cart_activity"), waiting.getLong(1));
        assertEquals(spark.sql("SELECT min(event_time) FROM gold.fact_cart_activity").first().getTimestamp(0),
                waiting.getTimestamp(2));
        dev.shoplake.ops.WaitingFacts.record(spark, lake, "check-1", waiting.getTimestamp(2).toInstant()
                .plus(java.time.Duration.ofHours(25)), java.time.Duration.ofHours(24));
        assertEquals(List.of("gold.fact_cart_activity", "gold.fact_product_stock"), spark.sql(
                "SELECT subject FROM ops.alarms WHERE kind = 'facts_waiting' ORDER BY subject")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList(), "an alarm per table waiting past 24 h");

        // 2. the shop goes on, the batch brings the dimensions, the stream restarts from its checkpoint
        TestStack.simulate(config, 2, null, 11);
        batch(spark, config);
        catchUp(spark, config);
        assertFactsEqualTheStream(spark, config);
        assertEquals(0L, count(spark, """
                SELECT count(*) FROM gold.fact_cart_activity
                WHERE customer_key = -1 OR product_key = -1 OR (product_id IS NOT NULL) <> (product_key IS NOT NULL)"""),
                "late-arriving dimensions were resolved by the stream");
        assertEquals(0L, dev.shoplake.ops.WaitingFacts.counts(new DeltaWriter(spark, config.lakeRoot())).stream()
                .filter(r -> r.getString(0).equals("gold.fact_cart_activity") || r.getString(0).equals("gold.fact_product_stock"))
                .mapToLong(r -> r.getLong(1)).sum(), "no stream fact waits any more");
        assertEquals(0L, count(spark, """
                SELECT count(*) FROM gold.fact_cart_activity f JOIN gold.dim_customer c ON c.customer_key = f.customer_key
                WHERE f.event_time < c.valid_from OR (c.valid_to IS NOT NULL AND f.event_time >= c.valid_to)"""),
                "each action points at the customer version valid at its time");

        // every Kafka record was read exactly once over all micro-batches of both runs
        long records = Events.readAll(config.kafka()).size();
        Row progress = spark.sql("""
                SELECT count(*), sum(input_rows), count(DISTINCT batch_id) FROM ops.stream_progress
                WHERE query = 'gold_facts'""").first();
        assertTrue(progress.getLong(0) >= (records + 2499) / 2500,
                "max-offsets-per-trigger split the runs into micro-batches of at most 2500 records: " + progress);
        assertEquals(progress.getLong(0), progress.getLong(2), "one progress row per micro-batch");
        assertEquals(records, progress.getLong(1), "input rows over all micro-batches = records in the topics");
        assertTrue(count(spark, "SELECT sum(page_views) FROM gold.live_traffic_minute") > 0, "traffic is counted");
    }

    @Test
    void lateEventsCountInTheFactsAndInTheirOwnLiveMinute() throws Exception {
        Settings settings = streamSettings();
        LakehouseConfig config = STACK.config(settings);
        SparkSession spark = TestSpark.forLake(settings, config);
        KafkaEventPublisher.ensureTopics(config.kafka());
        try (KafkaProducer<String, String> raw = rawProducer(config)) {
            for (String[] cart : List.of(new String[] {"1", "10:00:10"}, new String[] {"2", "10:00:20"},
                    new String[] {"3", "10:30:00"})) {
                raw.send(createCart(config, cart[0], cart[1]));
            }
        }
        catchUp(spark, config);
        try (KafkaProducer<String, String> raw = rawProducer(config)) {
            raw.send(createCart(config, "4", "10:05:00")); // half an hour behind the newest event
            raw.send(createCart(config, "5", "10:25:00"));
            raw.send(createCart(config, "6", "10:00:50")); // a minute already counted
        }
        catchUp(spark, config);

        assertEquals(6L, count(spark, "SELECT count(*) FROM gold.fact_cart_activity"), "the facts take every event");
        Map<String, Long> minutes = new TreeMap<>();
        spark.sql("SELECT date_format(minute, 'HH:mm'), carts_created FROM gold.live_traffic_minute").collectAsList()
                .forEach(r -> minutes.put(r.getString(0), r.getLong(1)));
        assertEquals(Map.of("10:00", 3L, "10:05", 1L, "10:25", 1L, "10:30", 1L), minutes,
                "every event in its own minute, the late ones added to what the minute held");
        assertEquals(0L, count(spark, "SELECT coalesce(sum(late_rows_dropped), 0) FROM ops.stream_progress"),
                "nothing dropped");
    }

    /** Gold's stream facts hold each produced event exactly once, and stock agrees with the database. */
    private static void assertFactsEqualTheStream(SparkSession spark, LakehouseConfig config) throws Exception {
        List<Events.Event> events = Events.readAll(config.kafka());
        long cartActions = events.stream().filter(e -> CART_ACTIONS.contains(e.type()))
                .filter(e -> !QUARANTINED_ON_PURPOSE.contains(e.body().path("event_id").asText()))
                .map(e -> e.body().get("event_id").asText()).distinct().count();
        long stockChanges = events.stream().filter(e -> e.type().equals("STOCK_CHANGED") && e.body().has("delta"))
                .map(e -> e.body().get("event_id").asText()).distinct().count();
        assertEquals(cartActions, count(spark, "SELECT count(*) FROM gold.fact_cart_activity"), "one row per cart action");
        assertEquals(cartActions, count(spark, "SELECT count(DISTINCT event_id) FROM gold.fact_cart_activity"));
        assertEquals(stockChanges, count(spark, "SELECT count(*) FROM gold.fact_product_stock"), "one row per stock change");
        Map<Integer, Integer> source = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(config.postgres().url(), config.postgres().user(),
                config.postgres().requirePassword()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, stock_quantity FROM products")) {
            while (rs.next()) {
                source.put(rs.getInt(1), rs.getInt(2));
            }
        }
        Map<Integer, Integer> lake = new TreeMap<>();
        spark.table("gold.stock_current").collectAsList().forEach(r -> lake.put(r.getInt(0), r.getInt(1)));
        assertEquals(source, lake, "gold.stock_current = products.stock_quantity");
        Map<Integer, Integer> fromFacts = new TreeMap<>();
        spark.sql("""
                SELECT product_id, max_by(stock_level, struct(event_time, stream_position)) FROM gold.fact_product_stock
                GROUP BY product_id""").collectAsList().forEach(r -> fromFacts.put(r.getInt(0), r.getInt(1)));
        assertEquals(source, fromFacts, "the latest fact_product_stock row per product = products.stock_quantity");
    }

    private static void catchUp(SparkSession spark, LakehouseConfig config) throws Exception {
        EventStream stream = new EventStream(spark, config);
        stream.start(true);
        assertTrue(stream.awaitStopped(300_000), "availableNow run finished");
    }

    private static void batch(SparkSession spark, LakehouseConfig config) {
        BronzeJob.run(spark, config);
        DeltaWriter writer = new DeltaWriter(spark, config.lakeRoot());
        new SilverJob(spark, writer, config.batchParallelTables()).run(new JobRun("silver"));
        new GoldJob(spark, writer, config.batchParallelTables()).run(new JobRun("gold"));
    }

    private static long count(SparkSession spark, String sql) {
        Row r = spark.sql(sql).first();
        return r.isNullAt(0) ? 0 : ((Number) r.get(0)).longValue();
    }

    private static KafkaProducer<String, String> rawProducer(LakehouseConfig config) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static ProducerRecord<String, String> createCart(LakehouseConfig config, String cart, String time) {
        return new ProducerRecord<>(config.kafka().storeTopic(), cart, "{\"event_id\":\"cart-" + cart
                + "\",\"type\":\"CREATE_CART\",\"timestamp\":\"2026-06-01T" + time + "Z\",\"cart_id\":" + cart
                + ",\"customer_id\":1}");
    }
}
