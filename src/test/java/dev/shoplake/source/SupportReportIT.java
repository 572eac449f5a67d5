package dev.shoplake.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.events.KafkaEventPublisher;
import dev.shoplake.source.report.FtpSession;
import dev.shoplake.source.report.SupportReport;
import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.testing.TestStack;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The daily report on the real FTP server: one file a day, the day before deleted, real carry-overs. */
@Tag("integration")
class SupportReportIT {
    private static final TestStack STACK = TestStack.get();

    @Test
    void eachDayUploadsItsReportDeletesTheDayBeforeAndCarriesOverResolvedTickets() throws Exception {
        LakehouseConfig config = STACK.freshShop();
        ShopDatabase db = new ShopDatabase(config.postgres());
        db.migrate();
        LocalDate first = LocalDate.of(2026, 2, 1);
        int days = 14;
        List<CSVRecord> all = new ArrayList<>();
        int carriedOver = 0;
        int pendingWithDate = 0;
        int duplicated = 0;
        try (var events = new KafkaEventPublisher(config.kafka(), "sim-" + config.kafka().topicPrefix());
             var sim = new ShopSimulator(config, db, events)) {
            sim.seed(0.01, 5, Instant.parse(first + "T00:00:00Z"));
            for (int d = 0; d < days; d++) {
                LocalDate day = first.plusDays(d);
                assertEquals(List.of(SupportReport.fileName(day)), sim.backfill(1, null).reports());
                String csv;
                try (FtpSession ftp = FtpSession.open(config.ftp())) {
                    assertEquals(List.of(SupportReport.fileName(day)), ftp.list().stream().map(FTPFile::getName).toList(),
                            "only the newest report stays on the server");
                    csv = new String(ftp.download(SupportReport.fileName(day)), StandardCharsets.UTF_8);
                }
                assertEquals(String.join(",", SupportReport.HEADER), csv.lines().findFirst().orElseThrow());
                List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                        .parse(new StringReader(csv)).getRecords();
                Map<String, Integer> copies = new HashMap<>();
                for (CSVRecord r : rows) {
                    assertEquals(9, r.size(), "nine columns: " + r);
                    copies.merge(r.get("Ticket ID"), 1, Integer::sum);
                    LocalDate created = LocalDate.parse(r.get("Date Created"));
                    String status = r.get("Resolution Status");
                    String resolved = r.get("Resolution Date");
                    if (created.isBefore(day)) {
                        carriedOver++;
                        assertEquals(day.toString(), resolved, "an older ticket is in the report the day it is resolved");
                    } else {
                        assertEquals(day, created);
                    }
                    if (resolved.isEmpty()) {
                        assertTrue(status.equals("Pending") || status.equals("Escalated"), r.toString());
                    } else {
                        assertTrue(status.equals("Resolved") || status.equals("Pending"), r.toString());
                        pendingWithDate += status.equals("Pending") ? 1 : 0;
                    }
                }
                duplicated += (int) copies.values().stream().filter(n -> n == 2).count();
                all.addAll(rows);
            }
        }
        assertTrue(carriedOver > 0, "older tickets were resolved on later days");
        assertTrue(pendingWithDate > 0, "resolved tickets written as Pending with their date");
        assertTrue(duplicated > 0, "some rows are written twice");
        // what the files say agrees with the desk's own records and with the customers table
        try (Connection c = db.connect()) {
            Map<Long, String> emails = ShopInvariants.strings(c, "SELECT id, email FROM customers");
            Map<String, String> truth = new HashMap<>();
            try (var st = c.createStatement(); var rs = st.executeQuery("""
                    SELECT t.ticket_id::text, c.email || ' ' || t.date_created || ' ' || coalesce(t.resolution_date::text, '')
                    FROM simulator.support_tickets t JOIN customers c ON c.id = t.customer_id""")) {
                while (rs.next()) {
                    truth.put(rs.getString(1), rs.getString(2));
                }
            }
            for (CSVRecord r : all) {
                assertTrue(emails.containsValue(r.get("Email")), r.toString());
                String fromFile = r.get("Email") + " " + r.get("Date Created") + " " + r.get("Resolution Date");
                String known = truth.get(r.get("Ticket ID"));
                if (!r.get("Resolution Date").isEmpty() || LocalDate.parse(r.get("Date Created")).isBefore(first.plusDays(days - 1))) {
                    // a ticket reported open may be resolved later: compare its creation, and its resolution when reported
                    assertEquals(known.substring(0, known.indexOf(' ', known.indexOf(' ') + 1)),
                            fromFile.substring(0, fromFile.indexOf(' ', fromFile.indexOf(' ') + 1)), r.toString());
                }
                if (!r.get("Resolution Date").isEmpty()) {
                    assertEquals(known, fromFile, r.toString());
                }
            }
        }
    }
}
