package dev.shoplake.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.testing.TestSpark;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class DataTestsTest {
    private final SparkSession spark = TestSpark.session();

    private Dataset<Row> rows(StructType schema, Row... rows) {
        return spark.createDataFrame(List.of(rows), schema);
    }

    @Test
    void aFactIsTestedForItsKeyAndEveryDimensionItNames() {
        Dataset<Row> sales = rows(new StructType().add("sale_id", DataTypes.IntegerType)
                        .add("customer_key", DataTypes.LongType).add("order_date_key", DataTypes.IntegerType),
                RowFactory.create(1, 10L, 20260601),
                RowFactory.create(2, -1L, 20260601), // waits for its customer: allowed
                RowFactory.create(2, 99L, 20260601), // a duplicated key, and a customer that is not there
                RowFactory.create(5, 10L, 20260602)); // a day the calendar lacks
        Dataset<Row> customers = rows(new StructType().add("customer_key", DataTypes.LongType), RowFactory.create(10L));
        Dataset<Row> days = rows(new StructType().add("date_key", DataTypes.IntegerType), RowFactory.create(20260601));
        Map<TableSpec, Dataset<Row>> lake = Map.of(LakeTables.GOLD_FACT_SALES, sales,
                LakeTables.GOLD_DIM_CUSTOMER, customers, LakeTables.GOLD_DIM_DATE, days);
        List<DataTests.DataTest> tests = DataTests.of(List.of(LakeTables.GOLD_FACT_SALES));
        assertEquals(List.of(
                RowFactory.create(0, "gold.fact_sales", "unique", "sale_id", 1L, "2"),
                RowFactory.create(1, "gold.fact_sales", "references", "customer_key", 1L, "99"),
                RowFactory.create(2, "gold.fact_sales", "references", "order_date_key", 1L, "20260602")),
                // the order lines' reference to fact_sales is a test of fact_sales too; no order lines here: not run
                DataTests.outcomes(tests, lake::get).collectAsList());
        assertEquals("gold.fact_order_details references sale_id -> gold.fact_sales.sale_id", tests.get(3).name());
        assertEquals(4, tests.size(), "no not_null test of sale_id: the spec declares it NOT NULL, which Delta holds");
    }

    @Test
    void aCleanTableHasNoFailuresAClosedListIgnoresNullsAndANullKeyIsFound() {
        TableSpec silverSales = LakeTables.SILVER_POSTGRES.get("sales");
        Dataset<Row> sales = rows(new StructType().add("id", DataTypes.IntegerType)
                        .add("order_status", DataTypes.StringType),
                RowFactory.create(1, "Completed"), RowFactory.create(2, null), RowFactory.create(3, "Shipped"),
                RowFactory.create(4, "Shipped"), RowFactory.create(null, "Pending"));
        assertEquals(List.of(
                RowFactory.create(0, "silver.sales", "unique", "id", 0L, null),
                RowFactory.create(1, "silver.sales", "not_null", "id", 1L, null),
                RowFactory.create(2, "silver.sales", "accepted_values", "order_status", 1L, "Shipped")),
                DataTests.outcomes(DataTests.of(List.of(silverSales)), Map.of(silverSales, sales)::get).collectAsList());
    }

    @Test
    void aCompositeKeyIsUniqueAsAWhole() {
        TableSpec runs = LakeTables.OPS_JOB_RUNS; // (run_id, table_name)
        Dataset<Row> rows = rows(new StructType().add("run_id", DataTypes.StringType).add("table_name", DataTypes.StringType),
                RowFactory.create("r1", "a"), RowFactory.create("r1", "b"), RowFactory.create("r2", "a"),
                RowFactory.create("r2", "a"));
        assertEquals(List.of(RowFactory.create(0, "ops.job_runs", "unique", "run_id,table_name", 1L, "r2,a")),
                DataTests.outcomes(DataTests.of(List.of(runs)).subList(0, 1), Map.of(runs, rows)::get).collectAsList());
    }

    @Test
    void aTableIsReadForTheColumnsItsTestsNameAndNoOther() {
        List<DataTests.DataTest> tests = DataTests.of(List.of(LakeTables.GOLD_FACT_SALES));
        assertEquals(List.of("sale_id", "customer_key", "order_date_key"),
                DataTests.columnsTested(LakeTables.GOLD_FACT_SALES, tests));
        assertEquals(List.of("customer_key"), DataTests.columnsTested(LakeTables.GOLD_DIM_CUSTOMER, tests),
                "a dimension the fact names is read for its key only");
        assertEquals(List.of("sale_id"), DataTests.columnsTested(LakeTables.GOLD_FACT_ORDER_DETAILS, tests),
                "the order lines are read for their reference to the sale only");
    }

    @Test
    void aBatchTestsTheStarTablesItWroteAndWhatTheyNameNotWhatNamesThem() {
        assertEquals(List.of("gold.fact_sales unique sale_id",
                        "gold.fact_sales references customer_key -> gold.dim_customer.customer_key",
                        "gold.fact_sales references order_date_key -> gold.dim_date.date_key"),
                DataTests.afterBatch(java.util.Set.of(LakeTables.GOLD_FACT_SALES)).stream().map(DataTests.DataTest::name).toList(),
                "the order lines' reference to the sales is not tested when only the sales were written");
        assertEquals(List.of("gold.dim_customer unique customer_key"),
                DataTests.afterBatch(java.util.Set.of(LakeTables.GOLD_DIM_CUSTOMER)).stream().map(DataTests.DataTest::name).toList());
        assertEquals(List.of(), DataTests.afterBatch(java.util.Set.of(LakeTables.SILVER_POSTGRES.get("sales"))),
                "silver is left to lakehouse test");
    }

    @Test
    void aReferenceIsLookedUpInTheWholeTableItNamesWhateverPartOfThatTableIsUnderTest() {
        Dataset<Row> lines = rows(new StructType().add("sale_id", DataTypes.IntegerType),
                RowFactory.create(1), RowFactory.create(3));
        Dataset<Row> sales = rows(new StructType().add("sale_id", DataTypes.IntegerType), RowFactory.create(1),
                RowFactory.create(2));
        List<DataTests.DataTest> tests = DataTests.of(List.of(LakeTables.GOLD_FACT_ORDER_DETAILS)).stream()
                .filter(t -> t.column().equals("sale_id") && t.test().equals("references")).toList();
        Map<TableSpec, Dataset<Row>> tested = Map.of(LakeTables.GOLD_FACT_ORDER_DETAILS, lines,
                LakeTables.GOLD_FACT_SALES, sales.where("sale_id = 2")); // the sales' own written day holds sale 2 only
        assertEquals(List.of(RowFactory.create(0, "gold.fact_order_details", "references", "sale_id", 1L, "3")),
                DataTests.outcomes(tests, tested::get, Map.of(LakeTables.GOLD_FACT_SALES, sales)::get).collectAsList(),
                "sale 1 is found among all the sales; sale 3 is nowhere");
    }

    @Test
    void aScopedTableIsTestedOnTheRowsItsScopeKeeps() throws Exception {
        TableSpec days = new TableSpec("gold", "scoped_test", new StructType().add("id", DataTypes.IntegerType, false)
                .add("day", DataTypes.IntegerType, false), List.of("id"), "one row per id", List.of("day"), Map.of(),
                "a test table");
        dev.shoplake.lake.DeltaWriter writer = new dev.shoplake.lake.DeltaWriter(spark,
                java.nio.file.Files.createTempDirectory("data-tests-").toString());
        writer.ensure(days);
        writer.append(days, rows(days.schema(), RowFactory.create(1, 10), RowFactory.create(1, 10),
                RowFactory.create(2, 11), RowFactory.create(2, 11), RowFactory.create(3, 11)));
        List<DataTests.DataTest> tests = DataTests.of(List.of(days));
        assertEquals(List.of(2L), DataTests.run(writer, tests).stream().map(DataTests.Outcome::failures).toList(),
                "the whole table: ids 1 and 2 are duplicated");
        List<DataTests.Outcome> day11 = DataTests.run(writer, tests,
                Map.of(days, org.apache.spark.sql.functions.col("day").isin(11)));
        assertEquals(List.of("1 2"), day11.stream().map(o -> o.failures() + " " + o.example()).toList(),
                "day 11 only: id 2, not day 10's id 1");
        assertEquals(List.of(2L), DataTests.run(writer, tests, Map.of(days, dev.shoplake.lake.DeltaWriter.WHOLE_TABLE))
                .stream().map(DataTests.Outcome::failures).toList(), "a whole-table scope is the whole table");
    }
}
