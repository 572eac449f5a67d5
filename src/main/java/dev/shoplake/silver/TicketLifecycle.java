package dev.shoplake.silver;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The support tickets' lifecycle, assembled from the daily reports. Pure functions of datasets:
 * "today" is a parameter (the latest report's day), never the clock.
 *
 * <p>The rules:
 * <ul>
 *   <li>a report line that says Pending but carries a resolution date is Resolved (the report's
 *       known noise), and a line written twice in a report counts once;</li>
 *   <li>a ticket not resolved within {@value #CLOSE_AFTER_DAYS} days of its creation is
 *       <b>Closed</b> on day {@code date_created + 7} (resolved on that day still counts as in
 *       time) once the reports have reached that day;</li>
 *   <li>a resolution that arrives after the ticket was closed does not reopen it: it stays Closed,
 *       and the late resolution's day is kept in {@code resolved_after_close_on}.</li>
 * </ul>
 */
public final class TicketLifecycle {
    public static final int CLOSE_AFTER_DAYS = 7;

    private TicketLifecycle() {
    }

    /**
     * One observation per ticket and report day, with the noise cleaned: columns ticket_id,
     * report_date, status, resolution_date, date_created, customer_name, email, phone,
     * issue_category, issue_description.
     */
    public static Dataset<Row> cleanReportLines(Dataset<Row> bronzeTickets) {
        Column resolved = col("resolution_date").isNotNull();
        return bronzeTickets
                .withColumn("status", when(col("resolution_status").equalTo("Pending").and(resolved), lit("Resolved"))
                        .otherwise(col("resolution_status")))
                .select("ticket_id", "report_date", "status", "resolution_date", "date_created", "customer_name",
                        "email", "phone", "issue_category", "issue_description")
                .dropDuplicates("ticket_id", "report_date", "status", "resolution_date");
    }

    /** One row per ticket, as of {@code asOf} (the last day the reports cover). */
    public static Dataset<Row> lifecycle(Dataset<Row> observations, LocalDate asOf) {
        Dataset<Row> perTicket = observations.groupBy("ticket_id").agg(
                min("date_created").as("date_created"),
                // what the ticket said about itself when it was first reported
                min_by(struct("customer_name", "email", "phone", "issue_category", "issue_description", "status"),
                        col("report_date")).as("first"),
                max_by(col("status"), col("report_date")).as("last_status"),
                min(when(col("status").equalTo("Resolved"), coalesce(col("resolution_date"), col("report_date"))))
                        .as("resolution"),
                max(when(col("status").equalTo("Escalated"), lit(true)).otherwise(lit(false))).as("escalated"),
                max("report_date").as("last_reported_on"),
                count(lit(1)).cast("int").as("report_count"));
        Column closeDay = date_add(col("date_created"), CLOSE_AFTER_DAYS);
        Column resolvedInTime = col("resolution").isNotNull().and(col("resolution").leq(closeDay));
        Column closed = org.apache.spark.sql.functions.not(resolvedInTime).and(closeDay.leq(lit(java.sql.Date.valueOf(asOf))));
        return perTicket.select(
                col("ticket_id"),
                col("first.customer_name").as("customer_name"),
                col("first.email").as("email"),
                col("first.phone").as("phone"),
                col("first.issue_category").as("issue_category"),
                col("first.issue_description").as("issue_description"),
                col("date_created"),
                when(resolvedInTime, lit("Resolved"))
                        .when(closed, lit("Closed"))
                        .when(col("escalated"), lit("Escalated"))
                        .otherwise(col("last_status")).as("status"),
                col("escalated"),
                when(resolvedInTime, col("resolution")).as("resolved_on"),
                when(closed, closeDay).as("closed_on"),
                when(closed.and(col("resolution").isNotNull()), col("resolution")).as("resolved_after_close_on"),
                col("last_reported_on"),
                col("report_count"));
    }
}
