package dev.shoplake.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.source.events.EventTopic;
import dev.shoplake.testing.TestSpark;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Every Kafka record comes out of the parser, usable or with the reason it is not; exact rows. */
class EventParserTest {
    static final Map<String, EventTopic> TOPICS = Map.of("shop.store", EventTopic.STORE, "shop.checkout",
            EventTopic.CHECKOUT, "shop.stock", EventTopic.STOCK, "shop.website", EventTopic.WEBSITE);
    static final StructType KAFKA = new StructType().add("topic", DataTypes.StringType)
            .add("partition", DataTypes.IntegerType).add("offset", DataTypes.LongType)
            .add("timestamp", DataTypes.TimestampType).add("value", DataTypes.BinaryType);

    /** The stream's clock at 2026-06-01 10:05 UTC; events up to 5 minutes ahead, none before 2020. */
    static final EventParser.Bounds BOUNDS = new EventParser.Bounds(
            org.apache.spark.sql.functions.lit(Timestamp.valueOf("2026-06-01 10:05:00")), "5 minutes",
            Timestamp.valueOf("2020-01-01 00:00:00"));

    private final SparkSession spark = TestSpark.session();

    /** Kafka rows: topic, then value (null for a null value), offsets 0, 1, 2... */
    static Dataset<Row> kafka(SparkSession spark, String... topicThenValue) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < topicThenValue.length; i += 2) {
            String value = topicThenValue[i + 1];
            rows.add(RowFactory.create(topicThenValue[i], 0, (long) i / 2, Timestamp.valueOf("2026-06-01 10:00:00"),
                    value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
        }
        return spark.createDataFrame(rows, KAFKA);
    }

    static String event(String id, String type, String time, String fields) {
        return "{\"event_id\":\"" + id + "\",\"type\":\"" + type + "\",\"timestamp\":\"" + time + "\""
                + (fields.isEmpty() ? "" : "," + fields) + "}";
    }

    @Test
    void theStoreEventsAcceptedAreTheCartActionsTheFactTableAccepts() {
        // one list: an action the parser lets through must pass gold.fact_cart_activity's CHECK
        assertEquals(java.util.Set.copyOf(dev.shoplake.lake.AcceptedValues.CART_ACTIONS),
                EventParser.REQUIRED.get(EventTopic.STORE).keySet());
        assertEquals(dev.shoplake.lake.AcceptedValues.in("action", dev.shoplake.lake.AcceptedValues.CART_ACTIONS),
                dev.shoplake.lake.LakeTables.GOLD_FACT_CART_ACTIVITY.checks().get("known_action"));
    }

    @Test
    void usableEventsAreTypedAndEveryOtherRecordSaysWhy() {
        Dataset<Row> parsed = EventParser.parse(kafka(spark,
                "shop.store", event("e0", "ADD_TO_CART", "2026-06-01T10:00:05.250Z",
                        "\"cart_id\":7,\"customer_id\":3,\"product_id\":5,\"quantity\":2,\"unit_price\":3.50"),
                "shop.store", "not json at all",
                "shop.store", "{\"type\":\"CREATE_CART\",\"timestamp\":\"2026-06-01T10:00:00Z\",\"cart_id\":1}",
                "shop.store", event("e3", "FLY", "2026-06-01T10:00:00Z", "\"cart_id\":1"),
                "shop.store", event("e4", "ADD_TO_CART", "2026-06-01T10:00:00Z",
                        "\"cart_id\":7,\"customer_id\":3,\"product_id\":5,\"quantity\":\"two\",\"unit_price\":3.50"),
                "shop.store", event("e5", "CREATE_CART", "yesterday", "\"cart_id\":1,\"customer_id\":3"),
                "shop.stock", event("e6", "STOCK_CHANGED", "2026-06-01T10:00:00Z",
                        "\"product_id\":5,\"delta\":-4,\"stock_level\":-3,\"reason\":\"cart\""),
                "shop.stock", event("e7", "STOCK_CHANGED", "2026-06-01T10:00:00Z",
                        "\"product_id\":5,\"delta\":-4,\"stock_level\":3,\"reason\":\"theft\""),
                "shop.website", null,
                "shop.website", event("e9", "PAGE_VIEW", "2026-06-01T10:00:01Z",
                        "\"session_id\":\"s1\",\"customer_id\":null,\"page\":\"home\",\"product_id\":null"),
                "shop.stock", event("e10", "CREATE_CART", "2026-06-01T10:00:00Z", "\"cart_id\":1,\"customer_id\":3"),
                "shop.checkout", "[1, 2]"), TOPICS, BOUNDS);

        List<String> outcomes = new ArrayList<>();
        parsed.orderBy("offset").collectAsList().forEach(r -> outcomes.add(r.getLong(r.fieldIndex("offset")) + " "
                + r.getAs("event_id") + ": " + r.getAs("error")));
        assertEquals(List.of(
                "0 e0: null",
                "1 null: malformed JSON (not a JSON object)",
                "2 null: missing event_id",
                "3 e3: unknown event type 'FLY' on topic shop.store",
                "4 e4: ADD_TO_CART without a valid quantity",
                "5 e5: missing or invalid timestamp",
                "6 e6: STOCK_CHANGED with a negative stock_level",
                "7 e7: STOCK_CHANGED with unknown reason 'theft'",
                "8 null: empty message",
                "9 e9: null",
                "10 e10: unknown event type 'CREATE_CART' on topic shop.stock",
                "11 null: malformed JSON (not a JSON object)"), outcomes);

        Row add = parsed.where("offset = 0").select("kind", "type", "event_time", "cart_id", "customer_id",
                "product_id", "quantity", "unit_price", "raw_value").first();
        assertEquals(RowFactory.create("STORE", "ADD_TO_CART", Timestamp.valueOf("2026-06-01 10:00:05.25"), 7, 3, 5, 2,
                new BigDecimal("3.50"), event("e0", "ADD_TO_CART", "2026-06-01T10:00:05.250Z",
                        "\"cart_id\":7,\"customer_id\":3,\"product_id\":5,\"quantity\":2,\"unit_price\":3.50")), add);
    }

    @Test
    void eventTimesOutsideTheShopsLifeAndQuantitiesOutOfRangeAreQuarantinedWithTheirReason() {
        Dataset<Row> parsed = EventParser.parse(kafka(spark,
                "shop.store", event("f0", "CREATE_CART", "2030-01-01T00:00:00Z", "\"cart_id\":1,\"customer_id\":3"),
                "shop.store", event("f1", "CREATE_CART", "2026-06-01T10:10:00Z", "\"cart_id\":1,\"customer_id\":3"),
                "shop.store", event("f2", "CREATE_CART", "2026-06-01T10:10:01Z", "\"cart_id\":1,\"customer_id\":3"),
                "shop.store", event("f3", "CREATE_CART", "1999-12-31T23:59:59Z", "\"cart_id\":1,\"customer_id\":3"),
                "shop.store", event("f4", "ADD_TO_CART", "2026-06-01T10:00:00Z",
                        "\"cart_id\":7,\"customer_id\":3,\"product_id\":5,\"quantity\":-5,\"unit_price\":3.50"),
                "shop.store", event("f5", "ADD_TO_CART", "2026-06-01T10:00:00Z",
                        "\"cart_id\":7,\"customer_id\":3,\"product_id\":5,\"quantity\":100001,\"unit_price\":3.50"),
                "shop.store", event("f6", "ADD_TO_CART", "2026-06-01T10:00:00Z",
                        "\"cart_id\":7,\"customer_id\":3,\"product_id\":5,\"quantity\":2,\"unit_price\":-1.00"),
                "shop.checkout", event("f7", "ORDER_DETAILS", "2026-06-01T10:00:00Z",
                        "\"sale_id\":1,\"order_detail_id\":2,\"product_id\":5,\"quantity\":0"),
                "shop.checkout", event("f8", "SALES", "2026-06-01T10:00:00Z",
                        "\"sale_id\":1,\"customer_id\":3,\"total_amount\":99999999999999.99")), TOPICS, BOUNDS);
        List<String> outcomes = new ArrayList<>();
        parsed.orderBy("offset").collectAsList().forEach(r -> outcomes.add(r.getAs("event_id") + ": " + r.getAs("error")));
        assertEquals(List.of(
                "f0: timestamp 2030-01-01 00:00:00 is more than 5 minutes ahead of the stream's clock (2026-06-01 10:05:00)",
                "f1: null",
                "f2: timestamp 2026-06-01 10:10:01 is more than 5 minutes ahead of the stream's clock (2026-06-01 10:05:00)",
                "f3: timestamp 1999-12-31 23:59:59 is before the shop existed (2020-01-01 00:00:00.0)",
                "f4: ADD_TO_CART with quantity -5 out of range (1..100000)",
                "f5: ADD_TO_CART with quantity 100001 out of range (1..100000)",
                "f6: ADD_TO_CART with a negative unit_price",
                "f7: ORDER_DETAILS with quantity 0 out of range (1..100000)",
                "f8: SALES without a valid total_amount"), outcomes);
    }
}
