package dev.shoplake.query;

import dev.shoplake.testing.TestSpark;
import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.lake.CatalogScript;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.testing.SmallLake;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The SQL shell and the catalog script on a real lake, as a user types them. */
@Tag("integration")
@ResourceLock(TestSpark.SESSION) // the JVM's one session and catalog, pointed at one lake at a time
class SqlShellIT {
    private static final SmallLake LAKE = SmallLake.get();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private SqlShell shell(Map<String, String> params) {
        return new SqlShell(LAKE.spark(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), params, 1000);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aQueryByTableNamePrintsAnAlignedTable() {
        long orders = LAKE.spark().table("gold.fact_sales").count();
        assertTrue(shell(Map.of()).runScript("SELECT count(*) AS orders, 'x' AS label FROM gold.fact_sales;"));
        String width = "-".repeat(Math.max(6, String.valueOf(orders).length()) + 2);
        assertEquals("+" + width + "+-------+\n"
                + "| " + pad("orders", width.length() - 2) + " | label |\n"
                + "+" + width + "+-------+\n"
                + "| " + " ".repeat(width.length() - 2 - String.valueOf(orders).length()) + orders + " | x     |\n"
                + "+" + width + "+-------+\n", out().substring(0, out().indexOf("1 row")));
        assertEquals("", err());
    }

    @Test
    void aTablesVersionsAreListedAndTheWarehouseReadsAsOfAnyOfThem() {
        var spark = LAKE.spark();
        List<org.apache.spark.sql.Row> history = spark.sql("DESCRIBE HISTORY ops.job_runs").orderBy("version").collectAsList();
        assertTrue(history.size() >= 2, "runs were recorded more than once");
        assertTrue(shell(Map.of()).versions("ops.job_runs"));
        List<String> lines = out().lines().toList();
        assertEquals(List.of("version", "timestamp", "operation", "rows_written", "rows_updated", "rows_deleted"),
                cells(lines.get(1)));
        long newest = history.get(history.size() - 1).getLong(0);
        assertEquals(String.valueOf(newest), cells(lines.get(3)).get(0), "newest first");
        assertEquals(history.get(history.size() - 1).getAs("operation"), cells(lines.get(3)).get(2));
        assertTrue(out().contains(history.size() + " rows"), out());

        // as of the first version's moment, every query reads that version
        java.sql.Timestamp first = history.get(0).getTimestamp(1);
        String moment = AsOf.moment(first.toInstant().toString());
        long thenRuns = spark.sql("SELECT count(*) FROM ops.job_runs VERSION AS OF " + history.get(0).getLong(0)).first()
                .getLong(0);
        assertTrue(thenRuns < spark.table("ops.job_runs").count(), "the table grew after its first version");
        out.reset();
        assertTrue(shell(Map.of()).asOf(moment, java.util.Set.of("ops.job_runs"))
                .runScript("SELECT count(*) AS runs FROM ops.job_runs;"));
        assertEquals(List.of(String.valueOf(thenRuns)), cells(out().lines().toList().get(3)), out());
    }

    private static List<String> cells(String line) {
        return java.util.Arrays.stream(line.substring(1, line.length() - 1).split("\\|")).map(String::strip).toList();
    }

    @Test
    void aBadQueryIsOneErrorLineAndTheScriptStopsThere() {
        assertFalse(shell(Map.of()).runScript("SELECT nope FROM gold.fact_sales; SELECT 1 AS never;"));
        List<String> lines = err().lines().toList();
        assertEquals(1, lines.size(), err());
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains("nope"), lines.get(0));
        assertFalse(out().contains("never"), "the statement after the failing one did not run");
    }

    @Test
    void thePromptTakesMultiLineStatementsAndSurvivesErrors() throws Exception {
        String typed = """
                SELECT 1 AS a,
                       2 AS b;
                SELEC broken syntax;
                SELECT count(*) AS days
                FROM gold.dim_date; SELECT 'same line' AS c;
                -- a comment alone
                quit;
                SELECT 'after quit' AS never;
                """;
        shell(Map.of()).interactive(new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)),
                Files.createTempFile("history", ".txt"));
        long days = LAKE.spark().table("gold.dim_date").count();
        String o = out();
        assertTrue(o.contains("| 1 | 2 |"), o);
        assertTrue(o.contains("| " + days + " |") || o.contains(" " + days + " |"), o);
        assertTrue(o.contains("| same line |"), o);
        assertFalse(o.contains("never"), o);
        assertTrue(o.contains("            > "), "a continuation prompt for the second line: " + o);
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("error: ") && !err().contains("\tat "), err());
    }

    @Test
    void deltaStatementsWorkHistoryTimeTravelAndDetail() {
        SqlShell sql = shell(Map.of());
        assertTrue(sql.runScript("DESCRIBE HISTORY gold.fact_sales;"), err());
        assertTrue(out().contains("MERGE") || out().contains("WRITE"), out());
        assertTrue(sql.runScript("SELECT count(*) AS first_version FROM gold.fact_sales VERSION AS OF 0;"), err());
        assertTrue(sql.runScript("DESCRIBE DETAIL gold.fact_sales;"), err());
        assertTrue(out().contains("| delta "), out());
        assertTrue(out().contains("order_date_key"), "partition columns are in the detail: " + out());
    }

    @Test
    void namedParametersTakeTheDefinedValues() {
        assertTrue(shell(Map.of("d", "2026-05-03")).runScript(
                "SELECT count(*) AS n FROM gold.fact_sales WHERE to_date(order_date) = CAST(:d AS DATE);"), err());
        long expected = LAKE.spark().sql("SELECT count(*) FROM gold.fact_sales WHERE to_date(order_date) = "
                + "DATE'2026-05-03'").first().getLong(0);
        assertTrue(expected > 0);
        assertTrue(out().contains(" " + expected + " |"), out());
        assertFalse(shell(Map.of()).runScript("SELECT :undefined AS x;"));
        assertTrue(err().contains("error: "), "a parameter without a value is one error line");
    }

    @Test
    void theCatalogScriptGivesAnotherSessionEveryTableByName() {
        SparkSession spark = LAKE.spark();
        long orders = spark.table("gold.fact_sales").count();
        String root = LAKE.config().lakeRoot();
        String script = CatalogScript.forLake(root, spec -> spark.catalog().tableExists(spec.qualifiedName()));
        List<String> registered = LakeTables.all().stream().map(TableSpec::qualifiedName)
                .filter(n -> spark.catalog().tableExists(n)).toList();
        assertTrue(registered.size() > 20, "most tables exist in the small lake: " + registered);
        // a session that knows none of the names, as a user's own Spark with Delta would be
        SparkSession other = spark.newSession();
        for (String name : registered) {
            other.sql("DROP TABLE IF EXISTS " + name); // the catalog is shared: names only, the data stays
        }
        assertFalse(other.catalog().tableExists("gold.fact_sales"));
        for (String statement : StatementSplitter.script(script)) {
            other.sql(statement);
        }
        for (String name : registered) {
            assertTrue(other.catalog().tableExists(name), name);
        }
        assertEquals(orders, other.table("gold.fact_sales").count());
        for (String statement : StatementSplitter.script(script)) {
            other.sql(statement); // IF NOT EXISTS: running it again changes nothing
        }
        assertTrue(script.contains("CREATE TABLE IF NOT EXISTS gold.fact_sales USING delta LOCATION '"
                + root + "/gold/fact_sales'"), script);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
