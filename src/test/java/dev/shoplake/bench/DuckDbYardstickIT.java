package dev.shoplake.bench;

import dev.shoplake.testing.TestSpark;
import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.testing.SmallLake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's yardstick does the batch's work: DuckDB's star, from a COPY export of the shop's
 * PostgreSQL, has the same facts as Spark's gold built from the same database.
 */
@Tag("integration")
@ResourceLock(TestSpark.SESSION) // the JVM's one session and catalog, pointed at one lake at a time
class DuckDbYardstickIT {
    @TempDir
    Path work;

    @Test
    void duckDbOnTheExportedRowsAgreesWithSparksGold() throws Exception {
        SmallLake lake = SmallLake.get();
        SparkSession spark = lake.asBuiltSpark();
        DuckDbYardstick.Result duck;
        try (Connection c = new ShopDatabase(lake.asBuilt().postgres()).connect()) {
            duck = DuckDbYardstick.run(c, work);
        }
        // dimensions differ by design once history exists (Spark keeps every version, an export has one)
        List<String> facts = List.of("fact_sales", "fact_order_details", "fact_payments", "dim_cart");
        Map<String, String> spark1 = new TreeMap<>(DuckDbYardstick.sparkChecks(spark));
        Map<String, String> duck1 = new TreeMap<>(duck.checks());
        spark1.keySet().retainAll(facts);
        duck1.keySet().retainAll(facts);
        assertEquals(4, spark1.size());
        assertEquals(spark1, duck1, "rows and sums per table");
        assertTrue(duck.rowsExported() > 1000, "the shop was exported: " + duck.rowsExported());
        assertTrue(!Files.readString(work.resolve("customers.csv")).lines().findFirst().orElseThrow()
                .contains("password_hash"), "password_hash never leaves the source");
    }
}
