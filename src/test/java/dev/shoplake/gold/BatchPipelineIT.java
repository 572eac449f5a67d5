package dev.shoplake.gold;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeSession;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.DataTests;
import dev.shoplake.ops.JobRun;
import dev.shoplake.pipeline.BatchPipeline;
import dev.shoplake.testing.SmallLake;
import dev.shoplake.testing.TestJvm;
import dev.shoplake.ops.Reconciliation;
import dev.shoplake.testing.TestSpark;
import dev.shoplake.testing.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A simulated month through bronze, silver and gold, reconciled with the source database. */
@Tag("integration")
@Order(1) // first: the longest class on the session, and the small lake's first user (it waits for its build)
@ResourceLock(TestSpark.SESSION) // the JVM's one session and catalog, pointed at one lake at a time
class BatchPipelineIT {
    private static final TestStack STACK = TestStack.get();

    @Test
    void aSimulatedMonthReconcilesWithTheSourceAndARerunChangesNothing() throws Exception {
        // the first batch is the shared small lake's (12 days); this test writes on a copy of that shop
        SmallLake small = SmallLake.get();
        BatchPipeline.Outcome first = small.firstBatch();
        assertTrue(first.dataTests().size() > 20 && first.dataTests().stream().allMatch(DataTests.Outcome::passed),
                "the first batch tested every star table it wrote, and every test passed: " + first.dataTests());
        Settings settings = small.copy();
        LakehouseConfig config = STACK.config(settings);
        SparkSession spark = TestSpark.forLake(settings, config);
        DeltaWriter writer = new DeltaWriter(spark, config.lakeRoot());
        long firstHalfSales = spark.table("gold.fact_sales").count();
        long testsBefore = spark.table("ops.data_tests").count();
        long calendarVersion = writer.version(LakeTables.GOLD_DIM_DATE);
        TestStack.simulate(config, 15, null, 3); // a second half-month lands incrementally on top of the first
        BatchPipeline.Outcome second = batch(spark, config);
        JobRun incremental = second.layers().get(1);
        assertEquals(List.of(), second.dataTests().stream().filter(o -> !o.passed()).toList(),
                "the incremental batch's data tests pass");
        assertTrue(testsBefore >= first.dataTests().size(), "the first batch recorded its tests");
        assertEquals(testsBefore + second.dataTests().size(), spark.table("ops.data_tests").count(),
                "the second batch recorded its tests");
        long salesRead = incremental.results().stream().filter(r -> r.table().equals("gold.fact_sales")).findFirst()
                .orElseThrow().rowsRead();
        long allSales = spark.table("gold.fact_sales").count();
        assertTrue(salesRead >= allSales - firstHalfSales && salesRead < allSales,
                "the incremental gold run reads the second half's orders and the first-half ones that changed, "
                        + "not the whole table: read " + salesRead + " of " + allSales);

        assertEquals(List.of(), Reconciliation.compare(spark, writer, config.postgres()),
                "gold agrees with the source database, day by day");
        assertTrue(spark.table("gold.fact_sales").count() > 500, "a month of orders");
        assertEquals(List.of("2026-01-01 2026-12-31 365"), spark.sql("SELECT min(full_date), max(full_date), count(*) "
                + "FROM gold.dim_date").collectAsList().stream().map(r -> r.get(0) + " " + r.get(1) + " " + r.get(2)).toList(),
                "the calendar holds the data's year, whole");
        assertEquals(calendarVersion, writer.version(LakeTables.GOLD_DIM_DATE),
                "the second half-month's days were in the calendar already: no commit to it");
        assertEquals(0L, spark.sql("""
                SELECT count(*) FROM gold.fact_order_details f JOIN gold.dim_product p ON p.product_key = f.product_key
                WHERE f.order_date < p.valid_from OR (p.valid_to IS NOT NULL AND f.order_date >= p.valid_to)""")
                .first().getLong(0), "every order line points at the product version valid when it was ordered");
        assertTrue(spark.sql("SELECT count(*) FROM gold.dim_product WHERE NOT is_current").first().getLong(0) > 0,
                "price changes left history");
        assertEquals(0L, spark.sql("""
                SELECT count(*) FROM gold.fact_sales WHERE customer_key = -1 UNION ALL
                SELECT count(*) FROM gold.fact_order_details WHERE product_key = -1""").agg(
                org.apache.spark.sql.functions.sum("count(1)")).first().getLong(0), "no fact lacks its dimension");
        assertEquals(0L, spark.sql("""
                SELECT count(*) FROM gold.fact_sales s LEFT JOIN gold.dim_date d ON d.date_key = s.order_date_key
                WHERE d.date_key IS NULL""").first().getLong(0), "every order date is in dim_date");
        long cartsEver;
        try (var c = java.sql.DriverManager.getConnection(config.postgres().url(), config.postgres().user(),
                config.postgres().requirePassword()); var st = c.createStatement();
             var rs = st.executeQuery("SELECT (SELECT count(*) FROM shopping_carts) + (SELECT count(*) FROM deleted_rows "
                     + "WHERE table_name = 'shopping_carts')")) {
            rs.next();
            cartsEver = rs.getLong(1);
        }
        assertEquals(cartsEver, spark.table("gold.dim_cart").count(),
                "every cart the database ever held, including those deleted between two batch runs");
        assertTrue(spark.sql("SELECT count(*) FROM gold.dim_cart WHERE sale_id IS NOT NULL AND is_deleted")
                .first().getLong(0) > 0, "carts deleted at checkout are kept, with the sale they became");
        assertEquals(List.of(), spark.sql("""
                SELECT ticket_id FROM gold.fact_support_ticket
                WHERE status = 'Closed' AND closed_date_key <> CAST(date_format(date_add(date_created, 7), 'yyyyMMdd') AS INT)""")
                .collectAsList(), "tickets close on their seventh day");

        Map<String, String> before = fingerprints(spark);
        Map<String, Long> versionsBefore = versions(writer);
        BatchPipeline.Outcome again = batch(spark, config);
        JobRun rerun = again.layers().get(1);
        assertEquals(List.of(), again.dataTests(), "nothing written, nothing to test");
        assertEquals(before, fingerprints(spark), "re-running the whole batch on the same sources changes nothing");
        assertEquals(versionsBefore, versions(writer), "not even a commit: no silver or gold table was visited");
        for (JobRun.TableResult r : rerun.results()) {
            assertEquals(0L, r.rowsWritten(), "the audit says so too: " + r.summary());
            assertEquals(0L, r.rowsRead(), "and nothing new was there to read: " + r.summary());
            assertEquals("inputs unchanged", r.message(), r.summary());
        }

        // a rebuild from scratch gives the very same gold tables as the two incremental runs (silver keeps
        // what it read: the next batch reads only what changed since)
        spark.sql("DELETE FROM ops.model_inputs WHERE layer = 'gold'");
        for (GoldTableModel model : GoldJob.MODELS) { // the batch's gold tables (the stream's stay)
            deleteRecursively(Path.of(writer.path(model.table())));
        }
        org.apache.spark.sql.delta.DeltaLog.clearCache(); // the JVM's cached logs of the deleted tables
        LakeSession.switchLake(spark, config.lakeRoot());
        new GoldJob(spark, writer, config.batchParallelTables()).run(new JobRun("gold"));
        assertEquals(before, fingerprints(spark), "a full rebuild equals the incremental result");

        // a broken fact is found by 'lakehouse test', as an operator runs it: exit 1, each failure named
        spark.sql("INSERT INTO gold.fact_sales SELECT * FROM gold.fact_sales WHERE sale_id = (SELECT min(sale_id) FROM "
                + "gold.fact_sales)");
        spark.sql("INSERT INTO gold.fact_sales SELECT sale_id + 1000000, order_date, order_date_key, customer_id, 424242, "
                + "order_status, total_amount, payment_id, cart_id, shipping_address_id, billing_address_id, is_deleted "
                + "FROM gold.fact_sales WHERE sale_id = (SELECT max(sale_id) FROM gold.fact_sales)");
        Path conf = TestJvm.configFile(settings, Files.createTempFile("data-tests", ".properties"));
        Process test = new ProcessBuilder(TestJvm.lakehouse("1g", "--config", conf.toString(), "test", "--table",
                "gold.fact_sales")).redirectErrorStream(true).start();
        String out = new String(test.getInputStream().readAllBytes());
        assertTrue(test.waitFor(300, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, test.exitValue(), out);
        assertTrue(out.contains("FAIL gold.fact_sales unique sale_id: 1 offending value(s)"), out);
        assertTrue(out.contains("FAIL gold.fact_sales references customer_key -> gold.dim_customer.customer_key: "
                + "1 offending value(s), e.g. 424242"), out);
        assertTrue(out.contains("ok   gold.fact_order_details references sale_id -> gold.fact_sales.sale_id"), out);
        assertTrue(out.contains("2 passed, 2 failed, 0 not run"), out);

        // a batch's data tests fail on what it wrote: the newest order changes in the source, so the batch
        // rewrites its day, which holds the row naming a customer that does not exist ('lakehouse batch'
        // then exits 1: BatchCommandTest)
        try (var c = java.sql.DriverManager.getConnection(config.postgres().url(), config.postgres().user(),
                config.postgres().requirePassword()); var st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("UPDATE sales SET updated_at = updated_at + INTERVAL '1 second' "
                    + "WHERE id = (SELECT max(id) FROM sales)"));
        }
        List<String> said = new java.util.ArrayList<>();
        BatchPipeline.Outcome failing = BatchPipeline.run(spark, config, false, said::add);
        assertEquals(1, failing.failedDataTests(), String.join("\n", said));
        assertTrue(said.contains("  DATA TEST FAILED gold.fact_sales references customer_key -> "
                + "gold.dim_customer.customer_key: 1 offending value(s), e.g. 424242"), String.join("\n", said));
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs the batch as 'lakehouse batch' does (bronze, silver, gold, then the data tests of what it wrote). */
    private static BatchPipeline.Outcome batch(SparkSession spark, LakehouseConfig config) {
        return BatchPipeline.run(spark, config, false, line -> { });
    }

    /** The Delta version of every silver and gold table. */
    private static Map<String, Long> versions(DeltaWriter writer) {
        Map<String, Long> out = new TreeMap<>();
        for (TableSpec spec : LakeTables.all()) {
            if (spec.layer().equals("gold") || spec.layer().equals("silver")) {
                out.put(spec.qualifiedName(), writer.version(spec));
            }
        }
        return out;
    }

    /** A content hash of every silver and gold table. */
    private static Map<String, String> fingerprints(SparkSession spark) {
        Map<String, String> out = new TreeMap<>();
        for (TableSpec spec : LakeTables.all()) {
            if ((spec.layer().equals("gold") || spec.layer().equals("silver"))
                    && spark.catalog().tableExists(spec.qualifiedName())) {
                out.put(spec.qualifiedName(), spark.sql("SELECT count(*) || ':' || coalesce(sum(CAST(xxhash64(*) AS DECIMAL(38, 0))), 0) FROM "
                        + spec.qualifiedName()).first().getString(0));
            }
        }
        return out;
    }
}
