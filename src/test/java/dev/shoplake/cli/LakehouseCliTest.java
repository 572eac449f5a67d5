package dev.shoplake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options where users type them, and the version. */
class LakehouseCliTest {
    private static String stdout(Runnable r) {
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(before);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void globalOptionsWorkAfterTheCommandName() {
        StringWriter err = new StringWriter();
        int[] code = new int[1];
        String out = stdout(() -> code[0] = Lakehouse.run(Map.of(), new PrintWriter(err, true), "catalog", "--conf",
                "spark.lakehouse.lake.root=/tmp/elsewhere-lake"));
        assertEquals(0, code[0], err.toString());
        assertTrue(out.contains("CREATE SCHEMA IF NOT EXISTS gold LOCATION '/tmp/elsewhere-lake/gold'"), out);
        assertTrue(out.contains("-- not in the lake yet: CREATE TABLE IF NOT EXISTS gold.fact_sales USING delta "
                + "LOCATION '/tmp/elsewhere-lake/gold/fact_sales'"), out);
    }

    @Test
    void aBadSettingAfterTheCommandIsOneErrorLine() {
        StringWriter err = new StringWriter();
        assertEquals(2, Lakehouse.run(Map.of(), new PrintWriter(err, true), "catalog", "--conf",
                "spark.lakehouse.pg.url=mysql://x"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("error: setting spark.lakehouse.pg.url"), err.toString());
    }

    @Test
    void maintainingALayerThatDoesNotExistIsOneErrorLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path lake) {
        StringWriter err = new StringWriter();
        assertEquals(2, Lakehouse.run(Map.of(), new PrintWriter(err, true), "maintain", "--layer", "platinum", "--conf",
                "spark.lakehouse.lake.root=" + lake));
        assertEquals("error: no layer 'platinum': bronze, silver, gold or ops", err.toString().strip());
    }

    @Test
    void versionNamesTheProjectSparkAndDelta() {
        int[] code = new int[1];
        String out = stdout(() -> code[0] = Lakehouse.run(Map.of(), new PrintWriter(new StringWriter()), "--version"));
        assertEquals(0, code[0]);
        assertTrue(out.startsWith("shoplake 0.1.0-SNAPSHOT\n"), out);
        assertTrue(out.contains("Apache Spark 4.2.0, Delta Lake 4.4.0"), out);
    }

    @Test
    void aSecondBatchOnTheSameLakeExitsTwoNamingTheRunThatHoldsIt() throws Exception {
        java.nio.file.Path lake = java.nio.file.Files.createTempDirectory("lock-lake-");
        try (var held = dev.shoplake.ops.RunLock.acquire(lake.toString(), "batch",
                new org.apache.hadoop.conf.Configuration(), java.time.Duration.ZERO, java.time.Duration.ofSeconds(10),
                java.time.Duration.ofMinutes(2))) {
            StringWriter err = new StringWriter();
            assertEquals(2, Lakehouse.run(Map.of(), new PrintWriter(err, true), "batch", "--conf",
                    "spark.lakehouse.lake.root=" + lake));
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(err.toString().startsWith("error: another batch run holds the lake's lock ")
                    && err.toString().contains("pid " + ProcessHandle.current().pid()), err.toString());
        }
    }
}
