package dev.shoplake.streaming;

import static dev.shoplake.streaming.EventParserTest.event;
import static dev.shoplake.streaming.EventParserTest.kafka;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.testing.TestSpark;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stream's writers on real Delta tables, micro-batch by micro-batch: a replayed batch adds
 * nothing, a message sent twice is one fact (also after a restart, when the ids held on the driver
 * are gone), and a late event is added to the minute it belongs to.
 */
class LiveWritersTest {
    private static final EventParser.Bounds BOUNDS = new EventParser.Bounds(
            org.apache.spark.sql.functions.lit(Timestamp.valueOf("2027-01-01 00:00:00")), "5 minutes",
            Timestamp.valueOf("2020-01-01 00:00:00"));
    private static final String APP = "shoplake.stream.test";

    private SparkSession spark;
    private DeltaWriter writer;

    @BeforeEach
    void aFreshLake() throws Exception {
        spark = TestSpark.session();
        writer = new DeltaWriter(spark, Files.createTempDirectory("live-").toString());
        writer.ensure(LakeTables.GOLD_FACT_CART_ACTIVITY);
        writer.ensure(LakeTables.GOLD_LIVE_TRAFFIC);
    }

    private static String cart(String id, String time) {
        return event(id, "CREATE_CART", time, "\"cart_id\":1,\"customer_id\":1");
    }

    private LiveBatch batch(String... topicThenValue) {
        return LiveBatch.read(EventParser.parse(kafka(spark, topicThenValue), EventParserTest.TOPICS, BOUNDS));
    }

    /** Appends a batch's cart actions as the stream does (no dimension yet: key -1). */
    private long appendCarts(FactAppender appender, LiveBatch batch, long batchId) {
        StructType schema = batch.schema().add("customer_key", DataTypes.LongType).add("product_key", DataTypes.LongType);
        List<Row> keyed = LiveBatch.withColumns(batch.usable(LiveBatch.CART), schema, r -> new Object[] {-1L, null});
        Function<List<Row>, Dataset<Row>> frame = rows -> spark.createDataFrame(rows, schema);
        return appender.append(keyed, frame, APP, batchId);
    }

    private List<String> cartIds() {
        return writer.read(LakeTables.GOLD_FACT_CART_ACTIVITY).orderBy("event_id").collectAsList().stream()
                .map(r -> r.<String>getAs("event_id")).toList();
    }

    @Test
    void factsAreAppendedOnceAcrossReplaysResendsAndRestarts() {
        FactAppender appender = new FactAppender(writer, LakeTables.GOLD_FACT_CART_ACTIVITY, StreamFacts::cartActivity);
        assertEquals(2, appendCarts(appender, batch("shop.store", cart("a", "2026-06-01T10:00:00Z"),
                "shop.store", cart("b", "2026-06-01T10:00:05Z")), 0));
        LiveBatch second = batch("shop.store", cart("b", "2026-06-01T10:00:05Z"), "shop.store", cart("c", "2026-06-01T10:00:09Z"));
        assertEquals(1, appendCarts(appender, second, 1), "b was sent twice: only c is new");
        assertEquals(0, appendCarts(appender, second, 1), "batch 1 replayed: skipped by its transaction id");
        FactAppender restarted = new FactAppender(writer, LakeTables.GOLD_FACT_CART_ACTIVITY, StreamFacts::cartActivity);
        assertEquals(1, appendCarts(restarted, batch("shop.store", cart("a", "2026-06-01T10:00:00Z"),
                "shop.store", cart("d", "2026-06-01T10:01:00Z")), 2), "after a restart the table knows a");
        assertEquals(1, appendCarts(restarted, batch("shop.store", cart("b", "2026-06-01T10:00:05Z"),
                "shop.store", cart("e", "2026-05-31T08:00:00Z")), 3), "an event older than the ids held: read again");
        assertEquals(List.of("a", "b", "c", "d", "e"), cartIds());
    }

    @Test
    void theIdsHeldCoverWhatTheyWereReadForAndForgetTheOldestBeyondTheirCapacity() {
        RecentEventIds ids = new RecentEventIds(1_000, 3);
        StructType schema = new StructType().add("event_id", DataTypes.StringType).add("event_time", DataTypes.TimestampType);
        Function<String[], List<Row>> rows = idAndSeconds -> {
            List<Row> out = new java.util.ArrayList<>();
            for (int i = 0; i < idAndSeconds.length; i += 2) {
                out.add(new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {idAndSeconds[i],
                        new Timestamp(Long.parseLong(idAndSeconds[i + 1]) * 1000)}, schema));
            }
            return out;
        };
        List<Long> readFrom = new java.util.ArrayList<>();
        assertTrue(ids.cover(new Timestamp(10_000), from -> {
            readFrom.add(from);
            return rows.apply(new String[] {"x", "9"});
        }));
        assertEquals(List.of(9_000L), readFrom, "read from a span before the oldest event");
        assertTrue(ids.contains("x"));
        assertTrue(ids.cover(new Timestamp(9_500), from -> List.of()), "covered: nothing read");
        ids.add(rows.apply(new String[] {"y", "11", "z", "12", "w", "13"}));
        assertFalse(ids.contains("x"), "beyond the capacity the oldest are forgotten");
        assertTrue(ids.contains("w"));
        assertFalse(ids.cover(new Timestamp(1_000), from -> rows.apply(new String[] {"p", "1", "q", "2", "r", "3"})),
                "more than the capacity: not covered, the table decides");
    }

    @Test
    void trafficIsAppendedOnceAndSummedPerMinuteALateEventInItsOwnMinute() {
        writer.ensure(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS);
        TrafficMinutes minutes = new TrafficMinutes(writer);
        LiveBatch first = batch("shop.website", view("v1", "2026-06-01T10:00:10Z"), "shop.website", view("v2", "2026-06-01T10:01:10Z"));
        assertEquals(2, minutes.append(spark, first.usable(LiveBatch.TRAFFIC), APP, 0));
        assertEquals(2, minutes.catchUp(), "two minutes of one day");
        LiveBatch late = batch("shop.website", view("v3", "2026-06-01T10:00:50Z"), "shop.store", cart("c9", "2026-06-02T00:00:01Z"));
        assertEquals(2, minutes.append(spark, late.usable(LiveBatch.TRAFFIC), APP, 1));
        assertEquals(0, minutes.append(spark, late.usable(LiveBatch.TRAFFIC), APP, 1), "replayed: nothing added twice");
        assertEquals(3, new TrafficMinutes(writer).catchUp(), "after a restart: both days the increments touched, rewritten");
        assertEquals(0, minutes.catchUp(), "caught up: nothing to do");
        assertEquals(List.of(RowFactory.create("2026-06-01 10:00:00", 2L, 0L), RowFactory.create("2026-06-01 10:01:00", 1L, 0L),
                        RowFactory.create("2026-06-02 00:00:00", 0L, 1L)),
                writer.read(LakeTables.GOLD_LIVE_TRAFFIC).orderBy("minute")
                        .selectExpr("date_format(minute, 'yyyy-MM-dd HH:mm:ss')", "page_views", "carts_created").collectAsList());
    }

    @Test
    void lateKeysRunWhenAFactWaitsForADimensionVersionItWasNotKeyedAgainst() {
        writer.ensure(LakeTables.GOLD_FACT_PRODUCT_STOCK);
        FactAppender appender = new FactAppender(writer, LakeTables.GOLD_FACT_CART_ACTIVITY, StreamFacts::cartActivity);
        LateKeys lateKeys = new LateKeys(writer);
        StructType dimCustomer = new StructType().add("customer_id", DataTypes.IntegerType)
                .add("valid_from", DataTypes.TimestampType).add("valid_to", DataTypes.TimestampType)
                .add("customer_key", DataTypes.LongType);
        StructType dimProduct = new StructType().add("product_id", DataTypes.IntegerType)
                .add("valid_from", DataTypes.TimestampType).add("valid_to", DataTypes.TimestampType)
                .add("product_key", DataTypes.LongType);
        Dataset<Row> noCustomer = spark.createDataFrame(List.of(), dimCustomer);
        Dataset<Row> noProduct = spark.createDataFrame(List.of(), dimProduct);
        Dataset<Row> customerOne = spark.createDataFrame(List.of(RowFactory.create(1,
                Timestamp.valueOf("2020-01-01 00:00:00"), null, 7L)), dimCustomer);

        appendCarts(appender, batch("shop.store", cart("a", "2026-06-01T10:00:00Z")), 0);
        assertFalse(lateKeys.resolve("v0", false, noCustomer, noProduct).isEmpty(),
                "its first run: a stream before this one may have left facts waiting");
        appendCarts(appender, batch("shop.store", cart("b", "2026-06-01T10:00:05Z")), 1);
        lateKeys.appended("v0");
        assertTrue(lateKeys.resolve("v0", false, noCustomer, noProduct).isEmpty(),
                "keyed against the dimensions as they are: nothing to do");
        assertFalse(lateKeys.resolve("v1", false, customerOne, noProduct).isEmpty(), "the dimension moved: a run");
        appendCarts(appender, batch("shop.store", cart("c", "2026-06-01T10:00:09Z")), 2);
        lateKeys.appended("v0"); // keyed against the old version, committed after that run read the table
        assertFalse(lateKeys.resolve("v1", false, customerOne, noProduct).isEmpty(), "a fact keyed before the move: a run");
        assertTrue(lateKeys.resolve("v1", false, customerOne, noProduct).isEmpty(), "then nothing due");
        assertEquals(List.of(RowFactory.create("a", 7L), RowFactory.create("b", 7L), RowFactory.create("c", 7L)),
                writer.read(LakeTables.GOLD_FACT_CART_ACTIVITY).orderBy("event_id")
                        .select("event_id", "customer_key").collectAsList());
    }

    private static String view(String id, String time) {
        return event(id, "PAGE_VIEW", time, "\"session_id\":\"s\",\"page\":\"home\"");
    }
}
