package dev.shoplake.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.lake.LakeTables;
import dev.shoplake.testing.TestSpark;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The 7-day rule and the report's noise, on a handful of report lines with exact expected rows. */
class TicketLifecycleTest {
    private static final LocalDate D = LocalDate.of(2026, 3, 1);
    private final SparkSession spark = TestSpark.session();
    private final List<Row> lines = new ArrayList<>();

    /** One line of the report of {@code reportDay}, as bronze holds it. */
    private void line(String id, int created, String status, Integer resolved, int reportDay) {
        lines.add(RowFactory.create(id, "Ann Lee", "ann@example.com", null, "Billing", "Charged twice",
                date(created), status, resolved == null ? null : date(resolved), date(reportDay), "f.csv", lines.size() + 2,
                Timestamp.valueOf("2026-04-01 00:00:00"), "test", "run"));
    }

    private static Date date(int dayOffset) {
        return Date.valueOf(D.plusDays(dayOffset));
    }

    private List<String> lifecycle(int asOfOffset) {
        Dataset<Row> bronze = spark.createDataFrame(lines, LakeTables.BRONZE_SUPPORT_TICKETS.schema());
        return TicketLifecycle.lifecycle(TicketLifecycle.cleanReportLines(bronze), D.plusDays(asOfOffset))
                .orderBy("ticket_id")
                .collectAsList().stream()
                .map(r -> String.join(" | ", r.getString(0), String.valueOf(r.getDate(6)), r.getString(7),
                        String.valueOf(r.getBoolean(8)), String.valueOf(r.getDate(9)), String.valueOf(r.getDate(10)),
                        String.valueOf(r.getDate(11)), String.valueOf(r.getDate(12)), String.valueOf(r.getInt(13))))
                .toList();
    }

    @Test
    void aTicketResolvedInTimeIsResolvedEvenWhenTheReportSaysPendingTwice() {
        line("t1", 0, "Pending", null, 0);
        line("t1", 0, "Pending", 3, 3); // the noise: Pending with a resolution date means Resolved
        line("t1", 0, "Pending", 3, 3); // written twice in the same report
        assertEquals(List.of("t1 | 2026-03-01 | Resolved | false | 2026-03-04 | null | null | 2026-03-04 | 2"),
                lifecycle(10));
    }

    @Test
    void theSeventhDayIsTheBoundaryForResolutionAndForClosing() {
        line("on-day-7", 0, "Pending", null, 0);
        line("on-day-7", 0, "Resolved", 7, 7);
        line("on-day-8", 0, "Escalated", null, 0);
        line("on-day-8", 0, "Resolved", 8, 8);
        line("never", 0, "Escalated", null, 0);
        assertEquals(List.of(
                "never | 2026-03-01 | Closed | true | null | 2026-03-08 | null | 2026-03-01 | 1",
                "on-day-7 | 2026-03-01 | Resolved | false | 2026-03-08 | null | null | 2026-03-08 | 2",
                "on-day-8 | 2026-03-01 | Closed | true | null | 2026-03-08 | 2026-03-09 | 2026-03-09 | 2"),
                lifecycle(8));
    }

    @Test
    void aTicketIsClosedOnlyOnceTheReportsReachItsSeventhDay() {
        line("open", 0, "Pending", null, 0);
        assertEquals(List.of("open | 2026-03-01 | Pending | false | null | null | null | 2026-03-01 | 1"), lifecycle(6));
        assertEquals(List.of("open | 2026-03-01 | Closed | false | null | 2026-03-08 | null | 2026-03-01 | 1"),
                lifecycle(7));
    }

    @Test
    void aTicketResolvedTheDayItIsCreatedNeedsNoCarryOver() {
        line("same-day", 2, "Resolved", 2, 2);
        line("escalated", 2, "Escalated", null, 2);
        assertEquals(List.of(
                "escalated | 2026-03-03 | Escalated | true | null | null | null | 2026-03-03 | 1",
                "same-day | 2026-03-03 | Resolved | false | 2026-03-03 | null | null | 2026-03-03 | 1"),
                lifecycle(4));
    }
}
