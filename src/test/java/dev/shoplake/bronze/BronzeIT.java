package dev.shoplake.bronze;

import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.ops.JobRun;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.report.FtpSession;
import dev.shoplake.testing.TestSpark;
import dev.shoplake.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Bronze landing from the real PostgreSQL and FTP server into real Delta tables. */
@Tag("integration")
@ResourceLock(TestSpark.SESSION) // the JVM's one session and catalog, pointed at one lake at a time
class BronzeIT {
    private static final TestStack STACK = TestStack.get();

    @Test
    void landsEverythingOnceIncrementallyWithDeletesDriftAndAFailedRunThatLeavesNoTrace() throws Exception {
        Settings settings = STACK.freshShopSettings().with("spark.lakehouse.sim.ticks-per-day", "3");
        LakehouseConfig config = STACK.config(settings);
        SparkSession spark = TestSpark.forLake(settings, config);
        ShopDatabase db = new ShopDatabase(config.postgres());
        db.migrate();
        simulate(config, db, 2, Instant.parse("2026-03-01T00:00:00Z"));

        BronzeJob.Result first = BronzeJob.run(spark, config);
        assertSourceLanded(spark, db);
        assertFalse(Arrays.asList(spark.table("bronze.customers").columns()).contains("password_hash"),
                "password_hash never leaves the source");
        assertEquals(0L, spark.sql("SELECT count(*) FROM bronze.customers WHERE _ingested_at IS NULL OR _run_id <> '"
                + first.run().runId() + "' OR _source <> 'postgres:" + config.postgres().database()
                + ".public.customers'").first().getLong(0));
        assertEquals(List.of("customer_support_data_2026-03-02.csv"), first.reports().landed(),
                "only the newest report is still on the server");
        assertEquals(List.of(), first.reports().missingDays(), "a first landing has nothing to compare with");
        assertLedgerAddsUp(spark);
        // where the next landing starts is in the table's log, committed with the rows: the source's high mark
        var writer = new dev.shoplake.lake.DeltaWriter(spark, config.lakeRoot());
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(updated_at) FROM sales")) {
            rs.next();
            assertEquals(PostgresLanding.asLong(rs.getTimestamp(1)),
                    writer.appliedVersion(LakeTables.BRONZE_POSTGRES.get("sales"), PostgresLanding.WATERMARK).orElseThrow());
        }

        // again, on unchanged sources: nothing new anywhere
        Map<String, Long> versions = versions(spark);
        BronzeJob.Result again = BronzeJob.run(spark, config);
        for (JobRun.TableResult r : again.run().results()) {
            assertEquals(0L, r.rowsWritten(), r.summary());
        }
        versions.remove("ops.job_runs");
        Map<String, Long> after = versions(spark);
        after.remove("ops.job_runs");
        assertEquals(versions, after, "re-running changed no table but the audit");

        // two days later: only what changed is landed, deletes included; the day in between is gone from FTP
        simulate(config, db, 2, null);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE customers ADD COLUMN loyalty_tier text");
            st.execute("UPDATE customers SET loyalty_tier = 'gold', updated_at = '2026-03-05T00:00:00Z' WHERE id <= 3");
        }
        BronzeJob.Result third = BronzeJob.run(spark, config);
        assertSourceLanded(spark, db);
        assertEquals(3L, written(third, "bronze.customers"), "only the three updated customers are landed again");
        assertEquals(3L, spark.sql("SELECT count(*) FROM bronze.customers WHERE loyalty_tier = 'gold'").first().getLong(0),
                "a new source column lands in bronze");
        assertEquals(List.of("customer_support_data_2026-03-04.csv"), third.reports().landed());
        assertEquals(List.of(LocalDate.parse("2026-03-03")), third.reports().missingDays());
        assertEquals(List.of("missing_report 2026-03-03"),
                strings(spark, "SELECT kind || ' ' || subject FROM ops.alarms ORDER BY subject"));
        BronzeJob.run(spark, config);
        assertEquals(1L, spark.sql("SELECT count(*) FROM ops.alarms").first().getLong(0), "an alarm is raised once");

        // a source that fails half way: the failing table gets no commit, its watermark stays, the next run completes
        simulate(config, db, 1, null);
        try (Connection c = superuserOn(config); Statement st = c.createStatement()) {
            st.execute("REVOKE SELECT ON payments FROM " + config.postgres().user());
        }
        Map<String, Long> beforeFailure = versions(spark);
        long paymentsBefore = spark.table("bronze.payments").count();
        UnreachableException failure = assertThrows(UnreachableException.class, () -> BronzeJob.run(spark, config));
        assertTrue(failure.getMessage().startsWith("cannot read payments from PostgreSQL"), failure.getMessage());
        assertEquals(beforeFailure.get("bronze.payments"), versions(spark).get("bronze.payments"));
        assertEquals(paymentsBefore, spark.table("bronze.payments").count());
        assertEquals(List.of("failed"),
                strings(spark, "SELECT DISTINCT status FROM ops.job_runs WHERE table_name = '(run)'"));
        try (Connection c = superuserOn(config); Statement st = c.createStatement()) {
            st.execute("GRANT SELECT ON payments TO " + config.postgres().user());
        }
        BronzeJob.run(spark, config);
        assertSourceLanded(spark, db);
        assertLedgerAddsUp(spark);
    }

    @Test
    void badLinesAreQuarantinedWithTheirReasonAndNothingIsLost() throws Exception {
        Settings settings = STACK.freshShopSettings();
        LakehouseConfig config = STACK.config(settings);
        SparkSession spark = TestSpark.forLake(settings, config);
        new ShopDatabase(config.postgres()).migrate();
        String header = "Ticket ID,Customer Name,Email,Phone,Issue Category,Issue Description,Date Created,"
                + "Resolution Status,Resolution Date";
        try (FtpSession ftp = FtpSession.open(config.ftp())) {
            ftp.upload("customer_support_data_2026-04-01.csv", (header + "\n"
                    + "a,Ann Lee,ann@example.com,,Billing,Charged twice,2026-04-01,Pending,2026-04-01\n"
                    + "b,Bo Li,bo@example.com,,Lost Parcel,Where is it,2026-04-01,Pending,\n"
                    + "c,Cy Ng,cy@example.com,,Shipping,Late,04/01/2026,Pending,\n"
                    + "d,Di Wu,di@example.com,,Shipping,Late,2026-04-01,Closed,\n"
                    + "e,Ed Yu,ed@example.com,,Shipping\n"
                    + "f,Flo Ma,flo@example.com,,Returns and Refunds,Refund,2026-03-30,Resolved,2026-04-01\n"
                    + "g,Gus Oh,gus@example.com,,Billing,\"unclosed").getBytes(StandardCharsets.UTF_8));
            ftp.upload("customer_support_data_2026-04-02.csv", new byte[0]);
            ftp.upload("customer_support_data_2026-04-03.csv", "id,name\nx,y\n".getBytes(StandardCharsets.UTF_8));
            ftp.upload("notes.txt", "not a report".getBytes(StandardCharsets.UTF_8));
            ftp.upload("customer_support_data_2026-04-04.csv", (header + "\n").getBytes(StandardCharsets.UTF_8));
            java.io.ByteArrayOutputStream mixed = new java.io.ByteArrayOutputStream();
            mixed.writeBytes(("\uFEFF" + header + "\r\n"
                    + "h,Hal Po,hal@example.com,,Billing,Café,2026-04-05,Pending,\r\n").getBytes(StandardCharsets.UTF_8));
            mixed.writeBytes("i,Ida Café,ida@example.com,,Billing,Refund,2026-04-05,Pending,\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            mixed.writeBytes(("j,Jo Ko,jo@example.com,,Billing,Soon,2099-01-01,Pending,\r\n"
                    + "k,Kim Lu,kim@example.com,,Billing,Old,1999-12-31,Pending,\r\n"
                    + "l,Lea Mo,lea@example.com,,Ship").getBytes(StandardCharsets.UTF_8));
            ftp.upload("customer_support_data_2026-04-05.csv", mixed.toByteArray());
        }
        BronzeJob.run(spark, config);
        assertEquals(List.of("a 2", "f 7", "h 2 Café"), strings(spark, "SELECT ticket_id || ' ' || _line "
                + "|| CASE WHEN ticket_id = 'h' THEN ' ' || issue_description ELSE '' END FROM bronze.support_tickets "
                + "ORDER BY ticket_id"), "a BOM and CRLF line endings land; UTF-8 lands as written");
        assertEquals(List.of(
                "customer_support_data_2026-04-01.csv 3 unknown Issue Category 'Lost Parcel'",
                "customer_support_data_2026-04-01.csv 4 bad Date Created '04/01/2026'",
                "customer_support_data_2026-04-01.csv 5 unknown Resolution Status 'Closed'",
                "customer_support_data_2026-04-01.csv 6 expected 9 columns, found 5",
                "customer_support_data_2026-04-01.csv 8 malformed CSV",
                "customer_support_data_2026-04-02.csv 0 empty file",
                "customer_support_data_2026-04-03.csv 1 header changed: expected '" + header + "'",
                "customer_support_data_2026-04-03.csv 2 header changed: columns cannot be trusted",
                "customer_support_data_2026-04-05.csv 3 not valid UTF-8 (the raw text here is decoded as ISO-8859-1)",
                "customer_support_data_2026-04-05.csv 4 Date Created 2099-01-01 is after the report's day 2026-04-05",
                "customer_support_data_2026-04-05.csv 5 Date Created 1999-12-31 is before the shop's records begin "
                        + "(2020-01-01)",
                "customer_support_data_2026-04-05.csv 6 expected 9 columns, found 5 (file truncated?)"),
                strings(spark, "SELECT _file || ' ' || _line || ' ' || regexp_replace(reason, '(malformed CSV).*', '$1') "
                        + "FROM bronze.support_tickets_quarantine ORDER BY _file, _line"));
        assertEquals(List.of("g,Gus Oh,gus@example.com,,Billing,\"unclosed"),
                strings(spark, "SELECT raw_text FROM bronze.support_tickets_quarantine WHERE _line = 8"));
        assertEquals(List.of("customer_support_data_2026-04-01.csv 7 2 5", "customer_support_data_2026-04-02.csv 1 0 1",
                        "customer_support_data_2026-04-03.csv 2 0 2", "customer_support_data_2026-04-04.csv 0 0 0",
                        "customer_support_data_2026-04-05.csv 5 1 4"),
                strings(spark, "SELECT file_name || ' ' || rows_in_file || ' ' || rows_landed || ' ' || rows_quarantined "
                        + "FROM bronze.support_report_files ORDER BY file_name"));
        assertLedgerAddsUp(spark);
    }

    private static void simulate(LakehouseConfig config, ShopDatabase db, int days, Instant seedAt) {
        TestStack.simulate(config, days, seedAt, 11);
    }

    private static long written(BronzeJob.Result result, String table) {
        return result.run().results().stream().filter(r -> r.table().equals(table)).findFirst().orElseThrow()
                .rowsWritten();
    }

    private static Connection superuserOn(LakehouseConfig config) throws Exception {
        return DriverManager.getConnection(config.postgres().url(), "postgres", "");
    }

    /** Every live source row is in bronze, and the delete log landed whole. */
    private static void assertSourceLanded(SparkSession spark, ShopDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String table : LakeTables.POSTGRES_TABLES) {
                long live;
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    live = rs.getLong(1);
                }
                long landedLive = spark.sql("SELECT count(DISTINCT id) FROM bronze." + table + " WHERE id NOT IN "
                        + "(SELECT row_id FROM bronze.deleted_rows WHERE table_name = '" + table + "')").first().getLong(0);
                assertEquals(live, landedLive, table + ": live rows in the source vs landed and not deleted");
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM deleted_rows")) {
                rs.next();
                assertEquals(rs.getLong(1), spark.table("bronze.deleted_rows").count(), "the delete log");
            }
        }
    }

    private static void assertLedgerAddsUp(SparkSession spark) {
        assertEquals(0L, spark.sql("""
                SELECT count(*) FROM bronze.support_report_files f
                LEFT JOIN (SELECT _file, count(*) AS n FROM bronze.support_tickets GROUP BY _file) t ON t._file = f.file_name
                LEFT JOIN (SELECT _file, count(*) AS n FROM bronze.support_tickets_quarantine GROUP BY _file) q
                       ON q._file = f.file_name
                WHERE coalesce(t.n, 0) <> f.rows_landed OR coalesce(q.n, 0) <> f.rows_quarantined
                   OR f.rows_landed + f.rows_quarantined <> f.rows_in_file""").first().getLong(0),
                "good + quarantined = rows in the file, for every file, and the ledger agrees with the tables");
    }

    private static Map<String, Long> versions(SparkSession spark) {
        Map<String, Long> v = new TreeMap<>();
        for (var spec : LakeTables.all()) {
            if (spark.catalog().tableExists(spec.qualifiedName())) {
                v.put(spec.qualifiedName(),
                        spark.sql("DESCRIBE HISTORY " + spec.qualifiedName() + " LIMIT 1").first().getLong(0));
            }
        }
        return v;
    }

    private static List<String> strings(SparkSession spark, String sql) {
        return spark.sql(sql).collectAsList().stream().map((Row r) -> r.getString(0)).toList();
    }
}
