package dev.shoplake.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.StateException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.events.KafkaEventPublisher;
import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.testing.Events;
import dev.shoplake.testing.TestStack;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The simulator against real PostgreSQL, Kafka and FTP: invariants over many ticks, both modes. */
@Tag("integration")
class SimulatorIT {
    private static final TestStack STACK = TestStack.get();

    private static LakehouseConfig busyShop() {
        return STACK.config(STACK.freshShopSettings()
                .with("spark.lakehouse.sim.ticks-per-day", "4")
                .with("spark.lakehouse.sim.max-customers-per-tick", "40")
                .with("spark.lakehouse.sim.purge-every-days", "5")
                .with("spark.lakehouse.sim.tick-seconds", "1")
                // live: one generator tick of activity a second (4 a day x 21,600 / 86,400 s)
                .with("spark.lakehouse.sim.speed", "21600"));
    }

    private static ShopSimulator simulator(LakehouseConfig config, KafkaEventPublisher events) {
        return new ShopSimulator(config, new ShopDatabase(config.postgres()), events);
    }

    @Test
    void aBackfillIntoTheFutureIsRefusedBeforeAnythingIsWritten() throws Exception {
        LakehouseConfig config = busyShop();
        ShopDatabase db = new ShopDatabase(config.postgres());
        db.migrate();
        Instant start = LocalDate.now(ZoneOffset.UTC).minusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant();
        try (var events = new KafkaEventPublisher(config.kafka(), "sim-" + config.kafka().topicPrefix());
             var sim = simulator(config, events)) {
            sim.seed(0.01, 7, start);
            var before = db.rowCounts();
            StateException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    StateException.class, () -> sim.backfill(3, null));
            assertTrue(refused.getMessage().contains("after the wall clock") && refused.getMessage().contains(
                    "at most 2 whole day(s)"), refused.getMessage());
            assertEquals(start, sim.clock(), "the clock did not move");
            assertEquals(before, db.rowCounts(), "nothing was written");
            assertEquals(2, sim.backfill(2, null).days(), "up to the wall clock is fine");
        }
    }

    @Test
    void backfillThenLiveKeepsEveryInvariantAndTheStreamAgreesWithTheDatabase() throws Exception {
        LakehouseConfig config = busyShop();
        ShopDatabase db = new ShopDatabase(config.postgres());
        db.migrate();
        Instant start = LocalDate.now(ZoneOffset.UTC).minusDays(20).atStartOfDay(ZoneOffset.UTC).toInstant();
        try (var events = new KafkaEventPublisher(config.kafka(), "sim-" + config.kafka().topicPrefix());
             var sim = simulator(config, events)) {
            sim.seed(0.01, 7, start);
            ShopSimulator.Summary backfill = sim.backfill(20, null);
            assertEquals(20 * 288, backfill.ticks(), "a backfilled day is simulated in five-minute steps");
            assertEquals(start.plus(Duration.ofDays(20)), backfill.clock());
            assertEquals(20, backfill.reports().size());
        }
        try (Connection c = db.connect()) {
            ShopInvariants.assertDatabase(c);
            ShopInvariants.assertStreamMatches(c, Events.readAll(config.kafka()), start, start.plus(Duration.ofDays(20)));
            // every order date lies inside the simulated days, never at the loader's clock
            assertEquals(List.of(), ShopInvariants.longs(c, "SELECT id FROM sales WHERE order_date < '" + start
                    + "' OR order_date >= '" + start.plus(Duration.ofDays(20)) + "'"));
            assertTrue(ShopInvariants.longs(c, "SELECT id FROM sales").size() > 300, "a busy month has many orders");
            assertTrue(ShopInvariants.longs(c, "SELECT id FROM sales WHERE order_status = 'Canceled'").size() > 20);
            // a backfilled day is a day: orders at every hour, busier in the afternoon than at night (UTC)
            List<Long> perHour = ShopInvariants.longs(c, "SELECT count(*) FROM generate_series(0, 23) h LEFT JOIN sales s "
                    + "ON extract(hour FROM s.order_date) = h GROUP BY h ORDER BY h");
            assertTrue(perHour.stream().filter(n -> n > 0).count() >= 22, "orders at (nearly) every hour: " + perHour);
            long night = perHour.subList(1, 7).stream().mapToLong(Long::longValue).sum();
            long afternoon = perHour.subList(13, 19).stream().mapToLong(Long::longValue).sum();
            assertTrue(afternoon > night, "the day curve: 13-19 h " + afternoon + " vs 01-07 h " + night);
        }
        Map<String, Long> backfillTypes = ShopInvariants.counts(Events.readAll(config.kafka()));
        for (String type : List.of("CREATE_CART", "ADD_TO_CART", "REMOVE_FROM_CART", "DELETE_CART", "CHECKOUT", "SALES",
                "ORDER_DETAILS", "MAKE_PAYMENT", "SUCCESS_SALE", "SALE_CANCELED", "STOCK_CHANGED", "PRICE_CHANGED",
                "SESSION_START", "PAGE_VIEW")) {
            assertTrue(backfillTypes.getOrDefault(type, 0L) > 0, type + " events were published: " + backfillTypes);
        }

        // a new simulator continues where the last one stopped, now in real time
        Instant liveFrom = Instant.now();
        try (var events = new KafkaEventPublisher(config.kafka(), "sim-" + config.kafka().topicPrefix());
             var sim = simulator(config, events)) {
            long started = System.nanoTime();
            ShopSimulator.Summary live = sim.live(Duration.ofMillis(3_500), Clock.systemUTC(), null);
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            // at most one tick a second, however slow the machine (a tick late is a tick fewer, never two at once)
            assertTrue(live.ticks() >= 1 && live.ticks() <= seconds + 1, "about one tick a second: " + live.ticks()
                    + " in " + seconds + " s");
            assertTrue(!live.clock().isBefore(liveFrom));
        }
        try (Connection c = db.connect()) {
            ShopInvariants.assertDatabase(c);
            ShopInvariants.assertStreamMatches(c, Events.readAll(config.kafka()), start, Instant.now());
            assertTrue(!ShopInvariants.longs(c, "SELECT id FROM sales WHERE order_date >= '" + liveFrom + "'").isEmpty()
                    || !ShopInvariants.longs(c, "SELECT id FROM shopping_carts WHERE updated_at >= '" + liveFrom + "'")
                    .isEmpty(), "live ticks changed the shop at real time");
        }
    }

    @Test
    void theSameSeedAndStartGiveTheSameShop() throws Exception {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Map<String, String> first = simulateAndFingerprint(start);
        Map<String, String> second = simulateAndFingerprint(start);
        assertEquals(first, second);
    }

    private static Map<String, String> simulateAndFingerprint(Instant start) throws Exception {
        LakehouseConfig config = busyShop();
        ShopDatabase db = new ShopDatabase(config.postgres());
        db.migrate();
        try (var events = new KafkaEventPublisher(config.kafka(), "sim-" + config.kafka().topicPrefix());
             var sim = simulator(config, events)) {
            sim.seed(0.01, 99, start);
            sim.backfill(3, null);
        }
        Map<String, String> fingerprint = new TreeMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String table : ShopDatabase.TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' "
                        + "ORDER BY t.id)), '') FROM " + table + " t")) {
                    rs.next();
                    fingerprint.put(table, rs.getString(1));
                }
            }
        }
        return fingerprint;
    }

    @Test
    void aSecondSimulatorOnTheSameShopIsRefused() {
        LakehouseConfig config = busyShop();
        ShopDatabase db = new ShopDatabase(config.postgres());
        db.migrate();
        try (var events = new KafkaEventPublisher(config.kafka(), "sim-a-" + config.kafka().topicPrefix());
             var sim = simulator(config, events);
             var events2 = new KafkaEventPublisher(config.kafka(), "sim-b-" + config.kafka().topicPrefix())) {
            StateException e = assertThrows(StateException.class, () -> simulator(config, events2));
            assertTrue(e.getMessage().contains("another simulator"), e.getMessage());
        }
    }

    @Test
    void simulatingAnUnseededShopSaysWhatToDo() {
        LakehouseConfig config = busyShop();
        ShopDatabase db = new ShopDatabase(config.postgres());
        db.migrate();
        try (var events = new KafkaEventPublisher(config.kafka(), "sim-" + config.kafka().topicPrefix());
             var sim = simulator(config, events)) {
            StateException e = assertThrows(StateException.class, () -> sim.backfill(1, null));
            assertTrue(e.getMessage().contains("lakehouse seed"), e.getMessage());
        }
    }
}
