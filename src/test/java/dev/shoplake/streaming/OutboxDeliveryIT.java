package dev.shoplake.streaming;

import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.events.OutboxRelay;
import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.testing.Events;
import dev.shoplake.testing.TestSpark;
import dev.shoplake.testing.TestStack;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gap between the database commit and the Kafka commit, on the real broker: events of committed
 * changes wait in the outbox while Kafka is away, a relay that dies between its Kafka commit and its
 * mark sends a chunk twice, the broker refuses a record for good; gold still holds each event the
 * database committed exactly once.
 */
@Tag("integration")
@ResourceLock(TestSpark.SESSION) // the JVM's one session and catalog, pointed at one lake at a time
class OutboxDeliveryIT {
    private static final TestStack STACK = TestStack.get();

    @Test
    void everyCommittedEventReachesGoldOnceWhateverHappensBetweenTheTwoCommits() throws Exception {
        Settings settings = STACK.freshShopSettings().with("spark.lakehouse.sim.ticks-per-day", "6")
                .with("spark.lakehouse.kafka.relay-chunk", "400");
        LakehouseConfig config = STACK.config(settings);
        try (ShopSimulator sim = ShopSimulator.open(config)) {
            sim.seed(0.01, 7, Instant.parse("2026-08-01T00:00:00Z"));
        }
        long seeded = Events.readAll(config.kafka()).size();
        assertEquals(seeded, outbox(config, "published_at IS NOT NULL"), "the opening stock was relayed at once");

        // 1. Kafka is away: the shop goes on, its events wait in the outbox, the backfill says so in one line
        LakehouseConfig kafkaAway = STACK.config(settings.with("spark.lakehouse.kafka.bootstrap-servers", "127.0.0.1:9"));
        UnreachableException away;
        try (ShopSimulator sim = ShopSimulator.open(kafkaAway)) {
            away = assertThrows(UnreachableException.class, () -> sim.backfill(2, null));
        }
        long waiting = outbox(config, "published_at IS NULL");
        assertTrue(waiting > 500, "two days of events wait: " + waiting);
        assertEquals(String.format("%,d event(s) wait in the outbox: Kafka at 127.0.0.1:9 did not take them", waiting),
                away.getMessage().substring(0, away.getMessage().indexOf(" (")));
        assertEquals(2, scalar(config, "SELECT count(DISTINCT date_trunc('day', order_date)) FROM sales "
                + "WHERE order_date >= '2026-08-01'") , "the two days' rows are committed");
        assertEquals(seeded, Events.readAll(config.kafka()).size(), "nothing of them reached Kafka");

        // 2. Kafka is back: the relay sends every waiting event, in chunks of 400
        try (OutboxRelay relay = OutboxRelay.open(config)) {
            assertEquals(new OutboxRelay.Drained(waiting, 0, 0), relay.drain());
        }
        assertEquals(outbox(config, "true"), Events.readAll(config.kafka()).size(), "each outbox event once in Kafka");

        // 3. a relay killed after its Kafka commit and before its mark leaves exactly this: the last
        //    chunk sent but not marked. The next relay sends it again; Kafka holds it twice.
        try (Connection c = new ShopDatabase(config.postgres()).connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE outbox.events SET published_at = NULL WHERE id > (SELECT max(id) - 400 FROM outbox.events)");
            // and one record the broker refuses for good: stamped far ahead of its clock
            st.executeUpdate("""
                    INSERT INTO outbox.events (topic, message_key, payload, event_time)
                    SELECT topic, message_key, replace(payload, event_id, 'future-' || event_id), TIMESTAMPTZ '2099-01-01'
                    FROM (SELECT *, payload::json->>'event_id' AS event_id FROM outbox.events
                          WHERE payload::json->>'type' = 'ADD_TO_CART' ORDER BY id LIMIT 1) one""");
        }
        try (OutboxRelay relay = OutboxRelay.open(config)) {
            assertEquals(new OutboxRelay.Drained(400, 1, 0), relay.drain());
        }
        assertEquals(1L, scalar(config, "SELECT count(*) FROM outbox.events WHERE refused_reason LIKE "
                + "'InvalidTimestampException: %'"), "the refused record keeps the broker's reason");
        assertEquals(outbox(config, "refused_reason IS NULL") + 400, Events.readAll(config.kafka()).size(),
                "the re-sent chunk is in Kafka twice, and the refused record not at all");

        // 4. gold holds each event the database committed (and Kafka took) exactly once
        SparkSession spark = TestSpark.forLake(settings, config);
        EventStream stream = new EventStream(spark, config);
        stream.start(true);
        assertTrue(stream.awaitStopped(300_000), "availableNow run finished");
        assertEquals(outboxIds(config, dev.shoplake.lake.AcceptedValues.in("", dev.shoplake.lake.AcceptedValues.CART_ACTIONS)),
                ids(spark, "gold.fact_cart_activity"), "fact_cart_activity = the outbox's cart actions, once each");
        assertEquals(outboxIds(config, "= 'STOCK_CHANGED'"), ids(spark, "gold.fact_product_stock"),
                "fact_product_stock = the outbox's stock changes, once each");
        Map<Integer, Integer> stock = new TreeMap<>();
        spark.table("gold.stock_current").collectAsList().forEach(r -> stock.put(r.getInt(0), r.getInt(1)));
        Map<Integer, Integer> source = new TreeMap<>();
        try (Connection c = new ShopDatabase(config.postgres()).connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, stock_quantity FROM products")) {
            while (rs.next()) {
                source.put(rs.getInt(1), rs.getInt(2));
            }
        }
        assertEquals(source, stock, "gold.stock_current = products.stock_quantity");
    }

    private static long outbox(LakehouseConfig config, String where) throws SQLException {
        return scalar(config, "SELECT count(*) FROM outbox.events WHERE " + where);
    }

    private static long scalar(LakehouseConfig config, String sql) throws SQLException {
        try (Connection c = new ShopDatabase(config.postgres()).connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Event id -> how many times, of the outbox events Kafka took whose type matches. */
    private static Map<String, Long> outboxIds(LakehouseConfig config, String typeCondition) throws SQLException {
        Map<String, Long> ids = new TreeMap<>();
        try (Connection c = new ShopDatabase(config.postgres()).connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT payload::json->>'event_id' FROM outbox.events "
                     + "WHERE refused_reason IS NULL AND payload::json->>'type' " + typeCondition)) {
            while (rs.next()) {
                ids.merge(rs.getString(1), 1L, Long::sum);
            }
        }
        return ids;
    }

    private static Map<String, Long> ids(SparkSession spark, String table) {
        return spark.sql("SELECT event_id, count(*) FROM " + table + " GROUP BY event_id").collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1), (a, b) -> a, TreeMap::new));
    }
}
