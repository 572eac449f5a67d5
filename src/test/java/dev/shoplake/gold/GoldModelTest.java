package dev.shoplake.gold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.testing.TestSpark;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** History, as-of lookups and the date dimension on a handful of rows, exact results. */
class GoldModelTest {
    private final SparkSession spark = TestSpark.session();

    private static final StructType PRODUCT_VERSIONS = new StructType()
            .add("id", DataTypes.IntegerType).add("name", DataTypes.StringType)
            .add("price", DataTypes.createDecimalType(10, 2)).add("stock_quantity", DataTypes.IntegerType)
            .add("created_at", DataTypes.TimestampType).add("updated_at", DataTypes.TimestampType);

    private static Timestamp ts(String s) {
        return Timestamp.valueOf(s);
    }

    private Dataset<Row> productHistory() {
        List<Row> versions = List.of(
                // product 1: created, stock moves (no new version), price changes, landed twice
                RowFactory.create(1, "Mug", new BigDecimal("5.00"), 100, ts("2026-01-01 00:00:00"), ts("2026-01-01 00:00:00")),
                RowFactory.create(1, "Mug", new BigDecimal("5.00"), 80, ts("2026-01-01 00:00:00"), ts("2026-01-03 10:00:00")),
                RowFactory.create(1, "Mug", new BigDecimal("6.50"), 80, ts("2026-01-01 00:00:00"), ts("2026-01-05 12:00:00")),
                RowFactory.create(1, "Mug", new BigDecimal("6.50"), 80, ts("2026-01-01 00:00:00"), ts("2026-01-05 12:00:00")),
                // product 2: landed first after a change, so its first version starts at its creation
                RowFactory.create(2, "Pen", new BigDecimal("1.00"), 10, ts("2025-12-01 00:00:00"), ts("2026-01-02 00:00:00")));
        return GoldModel.scd2(spark.createDataFrame(versions, PRODUCT_VERSIONS), "product", List.of("name", "price"),
                "product_key");
    }

    @Test
    void aNewVersionStartsOnlyWhenATrackedAttributeChanges() {
        List<String> rows = productHistory().orderBy("product_id", "valid_from").collectAsList().stream()
                .map(r -> r.getInt(1) + " " + r.getString(2) + " " + r.getDecimal(3) + " " + r.getTimestamp(4) + " -> "
                        + r.getTimestamp(5) + " current=" + r.getBoolean(6))
                .toList();
        assertEquals(List.of(
                "1 Mug 5.00 2026-01-01 00:00:00.0 -> 2026-01-05 12:00:00.0 current=false",
                "1 Mug 6.50 2026-01-05 12:00:00.0 -> null current=true",
                "2 Pen 1.00 2025-12-01 00:00:00.0 -> null current=true"), rows);
    }

    @Test
    void factsGetTheVersionValidAtTheirOwnTimeOrTheUnknownMember() {
        Dataset<Row> history = productHistory();
        StructType lines = new StructType().add("line_id", DataTypes.IntegerType).add("product_id", DataTypes.IntegerType)
                .add("ordered_at", DataTypes.TimestampType);
        Dataset<Row> facts = spark.createDataFrame(List.of(
                RowFactory.create(10, 1, ts("2026-01-05 11:59:59")),
                RowFactory.create(11, 1, ts("2026-01-05 12:00:00")),
                RowFactory.create(12, 3, ts("2026-01-05 12:00:00"))), lines);
        List<String> keyed = GoldModel.versionAt(facts, "product_id", "ordered_at", history, "product_id", "product_key")
                .join(history.select("product_key", "price"), new scala.collection.immutable.Set.Set1<>("product_key")
                        .toSeq(), "left")
                .orderBy("line_id").collectAsList().stream()
                .map(r -> r.getAs("line_id") + " " + (r.<Long>getAs("product_key") == GoldModel.UNKNOWN_KEY ? "unknown"
                        : String.valueOf((BigDecimal) r.getAs("price"))))
                .toList();
        assertEquals(List.of("10 5.00", "11 6.50", "12 unknown"), keyed);
    }

    @Test
    void theDateDimensionDescribesEachDayOfItsSpan() {
        Dataset<Row> span = spark.createDataFrame(List.of(RowFactory.create(Date.valueOf("2026-02-27"),
                Date.valueOf("2026-03-02"))), new StructType().add("first", DataTypes.DateType).add("last", DataTypes.DateType));
        List<String> days = GoldModel.calendarDays(span).orderBy("date_key").collectAsList().stream()
                .map(r -> r.getInt(0) + " " + r.getString(3) + " dow=" + r.getInt(4) + " w" + r.getInt(5) + " m"
                        + r.getInt(6) + " " + r.getString(7) + " q" + r.getInt(8) + " " + r.getInt(9) + " weekend="
                        + r.getBoolean(10))
                .toList();
        assertEquals(List.of(
                "20260227 Friday dow=5 w9 m2 February q1 2026 weekend=false",
                "20260228 Saturday dow=6 w9 m2 February q1 2026 weekend=true",
                "20260301 Sunday dow=7 w9 m3 March q1 2026 weekend=true",
                "20260302 Monday dow=1 w10 m3 March q1 2026 weekend=false"), days);
    }

    @Test
    void theCalendarHasEveryDayOfEachSpanAndNoneBetweenThem() {
        StructType spans = new StructType().add("first", DataTypes.DateType).add("last", DataTypes.DateType);
        List<Row> days = GoldModel.calendarDays(spark.createDataFrame(List.of(
                RowFactory.create(Date.valueOf("2028-01-01"), Date.valueOf("2028-12-31")),
                RowFactory.create(Date.valueOf("2030-12-30"), Date.valueOf("2031-01-01"))), spans))
                .orderBy("date_key").collectAsList();
        assertEquals(366 + 3, days.size(), "2028 is a leap year; 2029 is not asked for");
        assertEquals(List.of(20280101, 20280229, 20281231, 20301230, 20301231, 20310101),
                java.util.stream.IntStream.of(0, 59, 365, 366, 367, 368).mapToObj(i -> days.get(i).getInt(0)).toList());
        assertEquals(0, GoldModel.calendarDays(spark.createDataFrame(List.of(), spans)).count(), "no span: no day");
    }
}
