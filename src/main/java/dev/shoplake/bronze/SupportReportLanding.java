package dev.shoplake.bronze;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.ops.JobRun;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Lands every daily report that is not in the file ledger yet, exactly once: first the reports on
 * the FTP server are kept in the lake's raw landing zone ({@link ReportLandingZone}), then each
 * kept report not in the ledger is parsed:
 * its lines into bronze.support_tickets or, with the reason, bronze.support_tickets_quarantine,
 * then the ledger rows, last. Each write inserts only keys not there yet (file and line; file for
 * the ledger), so a run that dies half way is completed, not duplicated, by the next, and a run
 * costs three commits however many files it lands. Nothing is ever
 * deleted from the server. A day with no report between the first and the last landed is raised
 * once in ops.alarms: its report was deleted before it could be landed.
 *
 * <p>A report is a day of tickets, read through the driver.
 */
public final class SupportReportLanding {
    private final SparkSession spark;
    private final DeltaWriter writer;
    private final LakehouseConfig.Ftp ftp;
    private final java.time.LocalDate earliest;

    /** @param earliest tickets created before this day are quarantined (spark.lakehouse.stream.earliest-event-time) */
    public SupportReportLanding(SparkSession spark, DeltaWriter writer, LakehouseConfig.Ftp ftp,
                                java.time.LocalDate earliest) {
        this.spark = spark;
        this.writer = writer;
        this.ftp = ftp;
        this.earliest = earliest;
    }

    /** What a run found: files landed, files already landed, and days missing. */
    public record Outcome(List<String> landed, int alreadyLanded, List<LocalDate> missingDays) {
    }

    public Outcome run(JobRun run) {
        long started = System.currentTimeMillis();
        writer.ensure(LakeTables.BRONZE_SUPPORT_TICKETS);
        writer.ensure(LakeTables.BRONZE_SUPPORT_QUARANTINE);
        writer.ensure(LakeTables.BRONZE_REPORT_FILES);
        writer.ensure(LakeTables.OPS_ALARMS);
        // the ledger holds one small row per file: it is read to the driver to decide what to fetch
        Set<String> ledger = new HashSet<>();
        for (Row r : writer.read(LakeTables.BRONZE_REPORT_FILES).select("file_name").collectAsList()) {
            ledger.add(r.getString(0));
        }
        List<String> landed = new ArrayList<>();
        List<Row> tickets = new ArrayList<>();
        List<Row> rejected = new ArrayList<>();
        List<Row> ledgerRows = new ArrayList<>();
        Set<Date> dates = new TreeSet<>();
        int skipped = 0;
        long read = 0;
        long good = 0;
        long bad = 0;
        ReportLandingZone zone = new ReportLandingZone(writer.lakeRoot(), spark.sparkContext().hadoopConfiguration());
        zone.fetchNew(ftp);
        for (String name : zone.files()) {
            if (ledger.contains(name)) {
                skipped++;
                continue;
            }
            byte[] content = zone.read(name);
            SupportReportParser.Parsed parsed = SupportReportParser.parse(name, content, earliest);
            rows(run, name, content, parsed, tickets, rejected, ledgerRows);
            dates.add(Date.valueOf(parsed.reportDate()));
            landed.add(name);
            read += parsed.rowsInFile();
            good += parsed.tickets().size();
            bad += parsed.rejected().size();
        }
        if (!landed.isEmpty()) {
            Column inBatch = DeltaWriter.target("report_date").isin(dates.toArray());
            writer.insertNew(LakeTables.BRONZE_SUPPORT_TICKETS,
                    spark.createDataFrame(tickets, LakeTables.BRONZE_SUPPORT_TICKETS.schema()), inBatch);
            writer.insertNew(LakeTables.BRONZE_SUPPORT_QUARANTINE,
                    spark.createDataFrame(rejected, LakeTables.BRONZE_SUPPORT_QUARANTINE.schema()), inBatch);
            writer.insertNew(LakeTables.BRONZE_REPORT_FILES,
                    spark.createDataFrame(ledgerRows, LakeTables.BRONZE_REPORT_FILES.schema()), inBatch);
        }
        // a day can only turn up missing when a later report lands
        List<LocalDate> missing = landed.isEmpty() ? List.of() : raiseMissingDays(run);
        run.add(new JobRun.TableResult(LakeTables.BRONZE_SUPPORT_TICKETS.qualifiedName(), "ok", read, good, bad,
                System.currentTimeMillis() - started, landed.size() + " file(s) landed, " + skipped + " already landed"
                + (missing.isEmpty() ? "" : ", MISSING reports: " + missing)));
        return new Outcome(landed, skipped, missing);
    }

    private void rows(JobRun run, String name, byte[] content, SupportReportParser.Parsed parsed, List<Row> tickets,
                      List<Row> rejected, List<Row> ledgerRows) {
        Timestamp now = Timestamp.from(run.startedAt());
        Date reportDate = Date.valueOf(parsed.reportDate());
        for (SupportReportParser.Ticket t : parsed.tickets()) {
            tickets.add(RowFactory.create(t.ticketId(), t.customerName(), t.email(), t.phone(), t.category(),
                    t.description(), Date.valueOf(t.dateCreated()), t.status(),
                    t.resolutionDate() == null ? null : Date.valueOf(t.resolutionDate()), reportDate, name, t.line(), now,
                    "ftp://" + ftp.host() + ftp.dir() + "/" + name, run.runId()));
        }
        for (SupportReportParser.Rejected r : parsed.rejected()) {
            rejected.add(RowFactory.create(name, r.line(), r.rawText(), r.reason(), reportDate, now, run.runId()));
        }
        ledgerRows.add(RowFactory.create(name, reportDate, (long) content.length, sha256(content), parsed.rowsInFile(),
                parsed.tickets().size(), parsed.rejected().size(), now, run.runId()));
    }

    /** Days between the first and the last landed report that have none; each raised once. */
    private List<LocalDate> raiseMissingDays(JobRun run) {
        Dataset<Row> days = writer.read(LakeTables.BRONZE_REPORT_FILES).select("report_date").distinct();
        Dataset<Row> range = days.agg(functions.min("report_date").as("first"), functions.max("report_date").as("last"))
                .where("first IS NOT NULL")
                .select(functions.explode(functions.sequence(functions.col("first"), functions.col("last")))
                        .as("report_date"));
        Dataset<Row> missing = range.join(days, range.col("report_date").equalTo(days.col("report_date")), "left_anti");
        // missing days are few (one row each): collected to name them in the job's output
        TreeSet<LocalDate> result = new TreeSet<>();
        for (Row r : missing.collectAsList()) {
            result.add(r.getDate(0).toLocalDate());
        }
        if (!result.isEmpty()) {
            List<Row> alarms = new ArrayList<>();
            for (LocalDate d : result) {
                alarms.add(RowFactory.create("missing_report", d.toString(),
                        "no report for " + d + " was landed: it was deleted from the FTP server before a run fetched it",
                        Timestamp.from(run.startedAt()), run.runId()));
            }
            Dataset<Row> fresh = spark.createDataFrame(alarms, LakeTables.OPS_ALARMS.schema());
            writer.insertNew(LakeTables.OPS_ALARMS, fresh, DeltaWriter.WHOLE_TABLE);
        }
        return List.copyOf(result);
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
