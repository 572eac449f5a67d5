package dev.shoplake.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.source.report.SupportDesk;
import dev.shoplake.source.report.SupportReport;
import dev.shoplake.source.report.SupportTicket;
import java.io.StringReader;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** The support desk's rules and the report's format and noise, without any server. */
class SupportReportTest {
    private static final LocalDate DAY = LocalDate.of(2026, 3, 10);
    private static final Map<Integer, SupportReport.Contact> CONTACTS = Map.of(
            1, new SupportReport.Contact("Ada Lovelace", "ada.lovelace.1@example.com", "+1-555-010-0001"),
            2, new SupportReport.Contact("Alan Turing", "alan.turing.2@example.com", null));

    @Test
    void theFileIsNamedByItsDay() {
        assertEquals("customer_support_data_2026-03-10.csv", SupportReport.fileName(DAY));
    }

    @Test
    void rowsCarryTheOriginalHeaderAndColumnsAndQuoteWhatNeedsIt() throws Exception {
        List<SupportTicket> tickets = List.of(
                new SupportTicket("t-1", 1, "Billing", "Charged twice, \"again\"", DAY, "Escalated", null),
                new SupportTicket("t-2", 2, "Shipping", "Package has not arrived", DAY.minusDays(3), "Pending", null));
        String csv = SupportReport.render(tickets, CONTACTS, new SplittableRandom(1));
        List<CSVRecord> records = parse(csv);
        assertEquals("Ticket ID,Customer Name,Email,Phone,Issue Category,Issue Description,Date Created,"
                + "Resolution Status,Resolution Date", csv.lines().findFirst().orElseThrow());
        Set<List<String>> distinct = new HashSet<>();
        records.forEach(r -> distinct.add(r.toList()));
        assertEquals(Set.of(
                List.of("t-1", "Ada Lovelace", "ada.lovelace.1@example.com", "+1-555-010-0001", "Billing",
                        "Charged twice, \"again\"", "2026-03-10", "Escalated", ""),
                List.of("t-2", "Alan Turing", "alan.turing.2@example.com", "", "Shipping", "Package has not arrived",
                        "2026-03-07", "Pending", "")), distinct);
    }

    @Test
    void resolvedRowsMostlySayPendingButKeepTheirDateAndSomeRowsAreWrittenTwice() throws Exception {
        List<SupportTicket> tickets = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            tickets.add(new SupportTicket("t-" + i, 1 + i % 2, "Billing", "x", DAY, "Resolved", DAY));
        }
        List<CSVRecord> rows = parse(SupportReport.render(tickets, CONTACTS, new SplittableRandom(7)));
        long pending = rows.stream().filter(r -> r.get("Resolution Status").equals("Pending")).count();
        assertTrue(rows.stream().allMatch(r -> r.get("Resolution Date").equals("2026-03-10")));
        double pendingShare = pending / (double) rows.size();
        assertTrue(pendingShare > 0.77 && pendingShare < 0.83, "about 80% written as Pending: " + pendingShare);
        Map<String, Integer> copies = new HashMap<>();
        rows.forEach(r -> copies.merge(r.get("Ticket ID"), 1, Integer::sum));
        assertEquals(4000, copies.size(), "every ticket is in the file");
        assertTrue(copies.values().stream().allMatch(n -> n <= 2));
        double twice = copies.values().stream().filter(n -> n == 2).count() / 4000.0;
        assertTrue(twice > 0.13 && twice < 0.17, "about 15% written twice: " + twice);
    }

    @Test
    void aDayHasUpToTwentyNineNewTicketsAndResolvesSomeOlderOpenOnes() {
        List<SupportTicket> open = List.of(
                new SupportTicket("old-1", 1, "Billing", "x", DAY.minusDays(2), "Pending", null),
                new SupportTicket("old-2", 2, "Returns and Refunds", "y", DAY.minusDays(9), "Escalated", null),
                new SupportTicket("today", 2, "Shipping", "z", DAY, "Pending", null));
        Set<String> resolvedIds = new HashSet<>();
        Set<Integer> newCounts = new HashSet<>();
        SplittableRandom rng = new SplittableRandom(3);
        for (int run = 0; run < 400; run++) {
            SupportDesk.Day day = SupportDesk.simulate(DAY, open, new int[] {1, 2}, rng.split());
            newCounts.add(day.created().size());
            for (SupportTicket t : day.created()) {
                assertEquals(DAY, t.dateCreated());
                assertTrue(SupportDesk.CATEGORIES.contains(t.category()));
                assertTrue(SupportDesk.STATUSES.contains(t.status()));
                assertEquals(t.status().equals("Resolved") ? DAY : null, t.resolutionDate());
            }
            for (SupportTicket t : day.resolved()) {
                assertEquals("Resolved", t.status());
                assertEquals(DAY, t.resolutionDate());
                resolvedIds.add(t.ticketId());
            }
        }
        assertEquals(Set.of("old-1", "old-2"), resolvedIds, "only tickets open from earlier days are resolved");
        assertTrue(newCounts.stream().allMatch(n -> n >= 0 && n <= 29));
        assertTrue(newCounts.contains(0) && newCounts.contains(29), "0 to 29 new tickets a day: " + newCounts);
    }

    private static List<CSVRecord> parse(String csv) throws Exception {
        return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv)).getRecords();
    }
}
