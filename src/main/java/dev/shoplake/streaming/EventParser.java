package dev.shoplake.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.shoplake.lake.AcceptedValues;
import dev.shoplake.source.events.EventTopic;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Kafka records to typed shop events, as a pure function. Every record comes out, either with its
 * fields or with an {@code error} saying why it cannot be used (malformed JSON, unknown type for
 * its topic, a missing or invalid field, a value a gold table would refuse), so that bad input is
 * quarantined and never stops the stream.
 */
public final class EventParser {
    /** Every field any event type carries; the JSON schema the messages are read with. */
    public static final StructType EVENT_SCHEMA = new StructType()
            .add("event_id", DataTypes.StringType)
            .add("type", DataTypes.StringType)
            .add("timestamp", DataTypes.StringType)
            .add("cart_id", DataTypes.IntegerType)
            .add("customer_id", DataTypes.IntegerType)
            .add("product_id", DataTypes.IntegerType)
            .add("quantity", DataTypes.IntegerType)
            .add("unit_price", DataTypes.createDecimalType(10, 2))
            .add("line_quantity", DataTypes.IntegerType)
            .add("sale_id", DataTypes.IntegerType)
            .add("total_amount", DataTypes.createDecimalType(12, 2))
            .add("order_detail_id", DataTypes.IntegerType)
            .add("payment_id", DataTypes.IntegerType)
            .add("payment_status", DataTypes.StringType)
            .add("delta", DataTypes.IntegerType)
            .add("stock_level", DataTypes.IntegerType)
            .add("reason", DataTypes.StringType)
            .add("new_price", DataTypes.createDecimalType(10, 2))
            .add("session_id", DataTypes.StringType)
            .add("page", DataTypes.StringType)
            .add("device", DataTypes.StringType);

    /** Event types per topic, each with the fields it cannot do without. */
    static final Map<EventTopic, Map<String, List<String>>> REQUIRED = Map.of(
            EventTopic.STORE, ordered(
                    "CREATE_CART", List.of("cart_id", "customer_id"),
                    "ADD_TO_CART", List.of("cart_id", "customer_id", "product_id", "quantity", "unit_price"),
                    "REMOVE_FROM_CART", List.of("cart_id", "customer_id", "product_id", "quantity"),
                    "CHECKOUT", List.of("cart_id", "customer_id", "sale_id", "total_amount"),
                    "DELETE_CART", List.of("cart_id", "customer_id")),
            EventTopic.CHECKOUT, ordered(
                    "SALES", List.of("sale_id", "customer_id", "total_amount"),
                    "ORDER_DETAILS", List.of("sale_id", "order_detail_id", "product_id", "quantity"),
                    "MAKE_PAYMENT", List.of("sale_id", "payment_id", "payment_status"),
                    "SUCCESS_SALE", List.of("sale_id", "total_amount"),
                    "SALE_CANCELED", List.of("sale_id")),
            EventTopic.STOCK, ordered(
                    "STOCK_CHANGED", List.of("product_id", "delta", "stock_level", "reason"),
                    "PRICE_CHANGED", List.of("product_id", "new_price")),
            EventTopic.WEBSITE, ordered(
                    "SESSION_START", List.of("session_id"),
                    "PAGE_VIEW", List.of("session_id", "page")));

    /** The smallest and largest quantity an event may carry (a cart line, an order line). */
    public static final int MIN_QUANTITY = 1;
    public static final int MAX_QUANTITY = 100_000;

    /**
     * What an event's own time may be: not more than {@code futureTolerance} (an interval, e.g.
     * "5 minutes") ahead of {@code now}, and not before {@code earliest} (before the shop existed).
     * In the stream {@code now} is the micro-batch's own timestamp, which Spark keeps in the offset
     * log, so a replayed batch decides exactly as the first attempt did.
     */
    public record Bounds(Column now, String futureTolerance, java.sql.Timestamp earliest) {
    }

    private EventParser() {
    }

    /**
     * @param kafka  rows as the Kafka source gives them (topic, partition, offset, timestamp, value)
     * @param topics each subscribed topic's name and what it carries
     * @return topic, partition, offset, kafka_timestamp, raw_value, kind (the EventTopic), the event's
     *         fields with {@code event_time} as a timestamp, and {@code error} (null when usable)
     */
    public static Dataset<Row> parse(Dataset<Row> kafka, Map<String, EventTopic> topics, Bounds bounds) {
        Column kind = lit(null).cast("string");
        for (Map.Entry<String, EventTopic> t : topics.entrySet()) {
            kind = when(col("topic").equalTo(t.getKey()), lit(t.getValue().name())).otherwise(kind);
        }
        Dataset<Row> parsed = kafka.select(col("topic"), col("partition"), col("offset"),
                        col("timestamp").as("kafka_timestamp"), col("value").cast("string").as("raw_value"),
                        bounds.now().as("_now"))
                .withColumn("kind", kind)
                .withColumn("_json", from_json(col("raw_value"), EVENT_SCHEMA))
                .select(col("topic"), col("partition"), col("offset"), col("kafka_timestamp"), col("raw_value"),
                        col("kind"), col("_json.*"), col("_now"))
                .withColumn("event_time", expr("try_to_timestamp(timestamp)"))
                .drop("timestamp");
        return parsed.withColumn("error", error(bounds)).drop("_now");
    }

    /** The first reason a record cannot be used, or null. */
    private static Column error(Bounds bounds) {
        Column error = lit(null).cast("string");
        // built back to front: the first matching check wins
        List<Column[]> checks = new java.util.ArrayList<>();
        checks.add(new Column[] {col("kind").isNull(), concat(lit("topic "), col("topic"), lit(" is not subscribed"))});
        checks.add(new Column[] {col("raw_value").isNull(), lit("empty message")});
        checks.add(new Column[] {expr("json_object_keys(raw_value)").isNull(), lit("malformed JSON (not a JSON object)")});
        checks.add(new Column[] {col("event_id").isNull(), lit("missing event_id")});
        checks.add(new Column[] {col("type").isNull(), lit("missing type")});
        checks.add(new Column[] {col("event_time").isNull(), lit("missing or invalid timestamp")});
        // a bad clock must not poison the facts or move the live watermark
        checks.add(new Column[] {col("event_time").gt(col("_now").plus(expr("INTERVAL " + bounds.futureTolerance()))),
                concat(lit("timestamp "), col("event_time").cast("string"), lit(" is more than "
                        + bounds.futureTolerance() + " ahead of the stream's clock ("), col("_now").cast("string"),
                        lit(")"))});
        checks.add(new Column[] {col("event_time").lt(lit(bounds.earliest())), concat(lit("timestamp "),
                col("event_time").cast("string"), lit(" is before the shop existed (" + bounds.earliest() + ")"))});
        for (Map.Entry<EventTopic, Map<String, List<String>>> topic : REQUIRED.entrySet()) {
            Column onTopic = col("kind").equalTo(topic.getKey().name());
            checks.add(new Column[] {onTopic.and(col("type").isin(topic.getValue().keySet().toArray()).unary_$bang()),
                    concat(lit("unknown event type '"), col("type"), lit("' on topic "), col("topic"))});
            for (Map.Entry<String, List<String>> type : topic.getValue().entrySet()) {
                for (String field : type.getValue()) {
                    checks.add(new Column[] {onTopic.and(col("type").equalTo(type.getKey())).and(col(field).isNull()),
                            lit(type.getKey() + " without a valid " + field)});
                }
            }
        }
        // what the gold tables' constraints would refuse, and measures out of range for their event type
        for (String type : List.of("ADD_TO_CART", "REMOVE_FROM_CART", "ORDER_DETAILS")) {
            checks.add(new Column[] {col("type").equalTo(type).and(col("quantity").lt(MIN_QUANTITY)
                    .or(col("quantity").gt(MAX_QUANTITY))), concat(lit(type + " with quantity "),
                    col("quantity").cast("string"), lit(" out of range (" + MIN_QUANTITY + ".." + MAX_QUANTITY + ")"))});
        }
        for (String money : List.of("unit_price", "total_amount", "new_price")) {
            checks.add(new Column[] {col(money).lt(0), concat(col("type"), lit(" with a negative " + money))});
        }
        Column stockChange = col("kind").equalTo(EventTopic.STOCK.name()).and(col("type").equalTo("STOCK_CHANGED"));
        checks.add(new Column[] {stockChange.and(col("stock_level").lt(0)), lit("STOCK_CHANGED with a negative stock_level")});
        checks.add(new Column[] {stockChange.and(col("reason").isin(AcceptedValues.STOCK_REASONS.toArray()).unary_$bang()),
                concat(lit("STOCK_CHANGED with unknown reason '"), col("reason"), lit("'"))});
        for (int i = checks.size() - 1; i >= 0; i--) {
            error = when(checks.get(i)[0], checks.get(i)[1]).otherwise(error);
        }
        return error;
    }

    private static Map<String, List<String>> ordered(Object... typeThenFields) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < typeThenFields.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> fields = (List<String>) typeThenFields[i + 1];
            out.put((String) typeThenFields[i], fields);
        }
        return out;
    }
}
