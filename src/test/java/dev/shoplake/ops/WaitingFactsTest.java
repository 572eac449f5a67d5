package dev.shoplake.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.testing.TestSpark;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class WaitingFactsTest {
    private final SparkSession spark = TestSpark.session();

    @Test
    void factsWithAnUnknownKeyAreCountedWithTheOldestEventTime() {
        StructType schema = new StructType().add("event_id", DataTypes.StringType)
                .add("event_time", DataTypes.TimestampType).add("customer_key", DataTypes.LongType)
                .add("product_key", DataTypes.LongType);
        var facts = spark.createDataFrame(List.of(
                RowFactory.create("a", Timestamp.valueOf("2026-06-01 10:00:00"), 5L, 7L),
                RowFactory.create("b", Timestamp.valueOf("2026-06-02 10:00:00"), -1L, 7L),
                RowFactory.create("c", Timestamp.valueOf("2026-06-01 09:00:00"), 5L, -1L),
                RowFactory.create("d", Timestamp.valueOf("2026-05-01 09:00:00"), 5L, null)), schema);
        assertEquals(List.of(RowFactory.create("gold.fact_cart_activity", 2L, Timestamp.valueOf("2026-06-01 09:00:00"))),
                WaitingFacts.waiting(facts, "gold.fact_cart_activity", "event_time", List.of("customer_key", "product_key"))
                        .collectAsList());
        assertEquals(List.of(RowFactory.create("gold.fact_sales", 0L, null)),
                WaitingFacts.waiting(facts.where("event_id = 'a'"), "gold.fact_sales", "event_time",
                        List.of("customer_key")).collectAsList(), "none waiting: zero, and no oldest");
    }
}
