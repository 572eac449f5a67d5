package dev.shoplake.streaming;

import static dev.shoplake.streaming.EventParserTest.event;
import static dev.shoplake.streaming.EventParserTest.kafka;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.testing.TestSpark;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The stream's gold rows from a handful of events, exact results. */
class StreamFactsTest {
    /** A stream clock after every event of these tests. */
    private static final EventParser.Bounds BOUNDS = new EventParser.Bounds(
            org.apache.spark.sql.functions.lit(java.sql.Timestamp.valueOf("2027-01-01 00:00:00")), "5 minutes",
            java.sql.Timestamp.valueOf("2020-01-01 00:00:00"));

    private final SparkSession spark = TestSpark.session();

    private static Timestamp ts(String s) {
        return Timestamp.valueOf(s);
    }

    private Dataset<Row> dim(String id, String key, Object... idFromToKey) {
        StructType schema = new StructType().add(id, DataTypes.IntegerType).add("valid_from", DataTypes.TimestampType)
                .add("valid_to", DataTypes.TimestampType).add(key, DataTypes.LongType);
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < idFromToKey.length; i += 4) {
            rows.add(RowFactory.create(idFromToKey[i], idFromToKey[i + 1], idFromToKey[i + 2], idFromToKey[i + 3]));
        }
        return spark.createDataFrame(rows, schema);
    }

    private Dataset<Row> customers() {
        // customer 1 changed on June 10th: two versions
        return dim("customer_id", "customer_key",
                1, ts("2026-06-01 00:00:00"), ts("2026-06-10 00:00:00"), 11L,
                1, ts("2026-06-10 00:00:00"), null, 12L);
    }

    private Dataset<Row> products() {
        return dim("product_id", "product_key", 5, ts("2026-01-01 00:00:00"), null, 55L);
    }

    private Dataset<Row> storeEvents() {
        return EventParser.parse(kafka(spark,
                "shop.store", event("c1", "CREATE_CART", "2026-06-05T08:00:00Z", "\"cart_id\":1,\"customer_id\":1"),
                "shop.store", event("a1", "ADD_TO_CART", "2026-06-12T09:30:00Z",
                        "\"cart_id\":1,\"customer_id\":1,\"product_id\":5,\"quantity\":2,\"unit_price\":3.50"),
                // customer 2 and product 9 have not reached gold yet
                "shop.store", event("a2", "ADD_TO_CART", "2026-06-12T09:31:00Z",
                        "\"cart_id\":2,\"customer_id\":2,\"product_id\":9,\"quantity\":1,\"unit_price\":1.00"),
                "shop.store", event("c1", "CREATE_CART", "2026-06-05T08:00:00Z", "\"cart_id\":1,\"customer_id\":1"),
                "shop.store", event("k1", "CHECKOUT", "2026-06-12T10:00:00Z",
                        "\"cart_id\":1,\"customer_id\":1,\"sale_id\":40,\"total_amount\":7.00"),
                "shop.store", event("bad", "ADD_TO_CART", "2026-06-12T10:00:00Z", "\"cart_id\":1"),
                "shop.website", event("w1", "PAGE_VIEW", "2026-06-12T10:00:00Z", "\"session_id\":\"s\",\"page\":\"home\"")),
                EventParserTest.TOPICS, BOUNDS);
    }

    @Test
    void cartActionsGetTheDimensionVersionValidAtTheirTimeAndCountOnce() {
        List<Row> facts = StreamFacts.cartActivity(StreamFacts.keyed(storeEvents(), customers(), products())).orderBy("event_time")
                .collectAsList();
        assertEquals(List.of(
                RowFactory.create("c1", "CREATE_CART", ts("2026-06-05 08:00:00"), 20260605, 1, 1, 11L, null, null, null,
                        null, null),
                RowFactory.create("a1", "ADD_TO_CART", ts("2026-06-12 09:30:00"), 20260612, 1, 1, 12L, 5, 55L, 2,
                        new BigDecimal("3.50"), null),
                RowFactory.create("a2", "ADD_TO_CART", ts("2026-06-12 09:31:00"), 20260612, 2, 2, -1L, 9, -1L, 1,
                        new BigDecimal("1.00"), null),
                RowFactory.create("k1", "CHECKOUT", ts("2026-06-12 10:00:00"), 20260612, 1, 1, 12L, null, null, null,
                        null, 40)), facts);
    }

    @Test
    void lateDimensionRowsResolveWaitingFactsOnlyWhereTheKeyChanges() {
        Dataset<Row> facts = StreamFacts.cartActivity(StreamFacts.keyed(storeEvents(), customers(), products()));
        Dataset<Row> waiting = facts.where("customer_key = -1 OR product_key = -1");
        Dataset<Row> customersNow = customers().union(dim("customer_id", "customer_key",
                2, ts("2026-06-12 09:00:00"), null, 21L));
        // customer 2 has arrived, product 9 has not: the customer key is filled in, the product stays unknown
        assertEquals(List.of(RowFactory.create("a2", 21L, -1L)), StreamFacts.resolveKeys(waiting, customersNow, products())
                .select("event_id", "customer_key", "product_key").collectAsList());
        assertEquals(List.of(), StreamFacts.resolveKeys(waiting, customers(), products()).collectAsList(),
                "nothing new in the dimensions: nothing to update");
    }

    @Test
    void theLatestStockIsTheLastChangeByTimeThenStreamPosition() {
        Dataset<Row> events = EventParser.parse(kafka(spark,
                "shop.stock", event("s0", "STOCK_CHANGED", "2026-06-01T10:00:00Z",
                        "\"product_id\":5,\"delta\":10,\"stock_level\":10,\"reason\":\"initial\""),
                "shop.stock", event("s1", "STOCK_CHANGED", "2026-06-01T11:00:00Z",
                        "\"product_id\":5,\"delta\":-2,\"stock_level\":8,\"reason\":\"cart\",\"cart_id\":3"),
                // same instant: a restock right after the cart took the last units; the later offset wins
                "shop.stock", event("s2", "STOCK_CHANGED", "2026-06-01T11:00:00Z",
                        "\"product_id\":5,\"delta\":50,\"stock_level\":58,\"reason\":\"restock\""),
                "shop.stock", event("s3", "STOCK_CHANGED", "2026-06-01T09:00:00Z",
                        "\"product_id\":6,\"delta\":4,\"stock_level\":4,\"reason\":\"initial\""),
                "shop.stock", event("p1", "PRICE_CHANGED", "2026-06-01T12:00:00Z",
                        "\"product_id\":6,\"old_price\":1.00,\"new_price\":2.00")), EventParserTest.TOPICS, BOUNDS);
        Dataset<Row> stock = StreamFacts.productStock(StreamFacts.keyed(events, customers(), products()));
        assertEquals(List.of(
                        RowFactory.create("s0", ts("2026-06-01 10:00:00"), 20260601, 5, 55L, 10, 10, "initial", null, 0L),
                        RowFactory.create("s1", ts("2026-06-01 11:00:00"), 20260601, 5, 55L, -2, 8, "cart", 3, 1L),
                        RowFactory.create("s2", ts("2026-06-01 11:00:00"), 20260601, 5, 55L, 50, 58, "restock", null, 2L),
                        RowFactory.create("s3", ts("2026-06-01 09:00:00"), 20260601, 6, -1L, 4, 4, "initial", null, 3L)),
                stock.orderBy("stream_position").collectAsList());
        assertEquals(List.of(
                        RowFactory.create(5, 58, ts("2026-06-01 11:00:00"), 2L, "s2"),
                        RowFactory.create(6, 4, ts("2026-06-01 09:00:00"), 3L, "s3")),
                StreamFacts.latestStock(stock).orderBy("product_id").collectAsList());
    }

    @Test
    void trafficIsCountedPerMinuteOfEventTime() {
        Dataset<Row> events = EventParser.parse(kafka(spark,
                "shop.website", event("w1", "SESSION_START", "2026-06-01T10:00:01Z", "\"session_id\":\"s\""),
                "shop.website", event("w2", "PAGE_VIEW", "2026-06-01T10:00:02Z", "\"session_id\":\"s\",\"page\":\"home\""),
                "shop.website", event("w3", "PAGE_VIEW", "2026-06-01T10:00:03Z", "\"session_id\":\"s\",\"page\":\"product\""),
                "shop.store", event("c1", "CREATE_CART", "2026-06-01T10:00:04Z", "\"cart_id\":1,\"customer_id\":1"),
                "shop.store", event("c2", "CREATE_CART", "2026-06-01T10:00:05Z", "\"cart_id\":2,\"customer_id\":2"),
                "shop.store", event("k1", "CHECKOUT", "2026-06-01T10:00:30Z",
                        "\"cart_id\":1,\"customer_id\":1,\"sale_id\":9,\"total_amount\":12.50"),
                "shop.checkout", event("m1", "MAKE_PAYMENT", "2026-06-01T10:00:31Z",
                        "\"sale_id\":9,\"payment_id\":1,\"payment_status\":\"Failed\""),
                "shop.checkout", event("p1", "SUCCESS_SALE", "2026-06-01T10:00:59.999Z", "\"sale_id\":9,\"total_amount\":12.50"),
                "shop.store", event("c3", "CREATE_CART", "2026-06-01T10:01:00Z", "\"cart_id\":3,\"customer_id\":3")),
                EventParserTest.TOPICS, BOUNDS);
        assertEquals(List.of(
                        RowFactory.create(ts("2026-06-01 10:00:00"), 20260601, 1L, 2L, 3L, 2L, 0L, 1L, 1L, 1L,
                                new BigDecimal("12.50"), 0.5),
                        RowFactory.create(ts("2026-06-01 10:01:00"), 20260601, 0L, 0L, 1L, 1L, 0L, 0L, 0L, 0L,
                                new BigDecimal("0.00"), 0.0)),
                LiveTraffic.perMinute(StreamFacts.usable(events)).orderBy("minute").collectAsList());
    }

    @Test
    void aBatchOfMinutesIsAddedToTheMinutesHeldLateOnesIncluded() {
        StructType schema = dev.shoplake.lake.LakeTables.GOLD_LIVE_TRAFFIC.schema();
        Dataset<Row> held = spark.createDataFrame(List.of(
                RowFactory.create(ts("2026-06-01 10:00:00"), 20260601, 2L, 5L, 3L, 1L, 2L, 1L, 1L, 0L,
                        new BigDecimal("10.00"), 1.0),
                RowFactory.create(ts("2026-06-01 10:01:00"), 20260601, 1L, 1L, 0L, 0L, 0L, 0L, 0L, 0L,
                        new BigDecimal("0.00"), null)), schema);
        Dataset<Row> counted = spark.createDataFrame(List.of(
                // a late event for a minute held, and a new minute
                RowFactory.create(ts("2026-06-01 10:00:00"), 20260601, 0L, 1L, 1L, 1L, 0L, 0L, 0L, 1L,
                        new BigDecimal("0.00"), 0.0),
                RowFactory.create(ts("2026-06-01 10:02:00"), 20260601, 1L, 2L, 0L, 0L, 0L, 0L, 1L, 0L,
                        new BigDecimal("7.25"), null)), schema);
        assertEquals(List.of(
                        RowFactory.create(ts("2026-06-01 10:00:00"), 20260601, 2L, 6L, 4L, 2L, 2L, 1L, 1L, 1L,
                                new BigDecimal("10.00"), 0.5),
                        RowFactory.create(ts("2026-06-01 10:01:00"), 20260601, 1L, 1L, 0L, 0L, 0L, 0L, 0L, 0L,
                                new BigDecimal("0.00"), null),
                        RowFactory.create(ts("2026-06-01 10:02:00"), 20260601, 1L, 2L, 0L, 0L, 0L, 0L, 1L, 0L,
                                new BigDecimal("7.25"), null)),
                new LiveTraffic.Minutes().add(held.collectAsList()).add(counted.collectAsList()).rows());
    }

    @Test
    void aBatchReadOntoTheDriverCountsItsMinutesAsSparkDoes() {
        Dataset<Row> events = storeEvents();
        LiveBatch batch = LiveBatch.read(events);
        assertEquals(7, batch.input());
        assertEquals(List.of("c1", "a1", "a2", "k1", "w1"), batch.usable().stream().map(r -> r.<String>getAs("event_id")).toList(),
                "usable events, one per event id");
        assertEquals(List.of("bad"), batch.errors().stream().map(r -> r.<String>getAs("event_id")).toList());
        assertEquals(List.of("c1", "a1", "a2", "k1"), batch.usable(LiveBatch.CART).stream()
                .map(r -> r.<String>getAs("event_id")).toList());
        assertEquals(List.of(20260605, 20260612), LiveBatch.days(batch.usable(LiveBatch.TRAFFIC)));
        assertEquals(LiveTraffic.perMinute(StreamFacts.usable(events).where(LiveTraffic.isTraffic())).orderBy("minute")
                .collectAsList(), new LiveTraffic.Minutes().add(batch.usable(LiveBatch.TRAFFIC)).rows(),
                "the driver's minutes are Spark's");
    }

    @Test
    void keysLookedUpOnTheDriverAreTheJoinsKeys() {
        LiveBatch batch = LiveBatch.read(storeEvents());
        DimensionKeys keys = new DimensionKeys();
        List<Row> usable = batch.usable();
        keys.load("v1", customers(), products(), usable.stream().map(r -> r.<Integer>getAs("customer_id")).toList(),
                usable.stream().map(r -> r.<Integer>getAs("product_id")).toList());
        List<Row> driver = usable.stream().map(r -> RowFactory.create(r.<String>getAs("event_id"),
                keys.customerKey(r.getAs("customer_id"), r.getAs("event_time")),
                keys.productKey(r.getAs("product_id"), r.getAs("event_time")))).toList();
        assertEquals(StreamFacts.keyed(StreamFacts.usable(storeEvents()), customers(), products())
                .select("event_id", "customer_key", "product_key").collectAsList().stream()
                .sorted(java.util.Comparator.comparing(r -> r.getString(0))).toList(),
                driver.stream().sorted(java.util.Comparator.comparing(r -> r.getString(0))).toList());
        assertEquals(List.of(RowFactory.create("c1", 11L, null), RowFactory.create("a1", 12L, 55L),
                RowFactory.create("a2", -1L, -1L), RowFactory.create("k1", 12L, null), RowFactory.create("w1", null, null)),
                driver, "the version valid at each event's time; -1 where gold has none yet; null without an id");
    }
}
