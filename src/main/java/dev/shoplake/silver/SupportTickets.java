package dev.shoplake.silver;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.ops.InputVersions;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * silver.support_tickets: each ticket's lifecycle ({@link TicketLifecycle}), re-derived when a
 * report landed (the 7-day rule needs every open ticket, and "today" is the newest report's day),
 * and only then. A ticket is written only when its lifecycle changed.
 */
final class SupportTickets extends SilverTableModel {
    /** The columns of a lifecycle: a ticket changes with these, not with the landing that re-derived it. */
    static final List<String> LIFECYCLE = List.of("status", "resolved_on", "closed_on", "resolved_after_close_on",
            "escalated", "last_reported_on", "report_count");

    SupportTickets() {
        super(LakeTables.SILVER_SUPPORT_TICKETS, List.of(LakeTables.BRONZE_SUPPORT_TICKETS));
    }

    @Override
    String unchanged() {
        return "no report landed";
    }

    @Override
    Change build(InputVersions in, DeltaWriter lake) {
        if (!in.exists(LakeTables.BRONZE_SUPPORT_TICKETS)) {
            return null;
        }
        Dataset<Row> bronze = in.all(LakeTables.BRONZE_SUPPORT_TICKETS);
        Row landed = bronze.agg(functions.max("report_date"), functions.max(LakeTables.INGESTED_AT)).first();
        if (landed.isNullAt(0)) {
            return null;
        }
        // the close rule needs "today": the day the reports have reached, never the clock
        LocalDate asOf = landed.getDate(0).toLocalDate();
        // a changed ticket is stamped with the landing of the report that changed it, for gold's watermark
        Dataset<Row> lifecycle = TicketLifecycle.lifecycle(TicketLifecycle.cleanReportLines(bronze), asOf)
                .withColumn(LakeTables.INGESTED_AT, functions.lit(landed.getTimestamp(1)));
        return new Change(lifecycle, DeltaWriter.WHOLE_TABLE, LIFECYCLE, null, "as of " + asOf);
    }
}
