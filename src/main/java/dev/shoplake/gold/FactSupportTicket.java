package dev.shoplake.gold;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;

import dev.shoplake.lake.LakeTables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * gold.fact_support_ticket: tickets whose lifecycle changed since the last run. They name their
 * customer by email: the customer with that email, in the version valid on the creation day.
 */
final class FactSupportTicket extends GoldTableModel {
    FactSupportTicket() {
        super(LakeTables.GOLD_FACT_SUPPORT_TICKET, List.of(LakeTables.SILVER_SUPPORT_TICKETS, GoldInputs.silver("customers")),
                List.of(LakeTables.GOLD_DIM_CUSTOMER), "created_date_key");
    }

    @Override
    boolean applies(GoldInputs in) {
        return in.exists(LakeTables.SILVER_SUPPORT_TICKETS);
    }

    @Override
    Dataset<Row> build(GoldInputs in) {
        Dataset<Row> all = in.all(LakeTables.SILVER_SUPPORT_TICKETS);
        Dataset<Row> ids = in.changed(LakeTables.SILVER_SUPPORT_TICKETS).select("ticket_id")
                .union(in.waitingFor(table(), "ticket_id", "customer_key"));
        Dataset<Row> tickets = all.join(ids.distinct(), "ticket_id");
        Dataset<Row> byEmail = in.silverRows("customers").select(col("id").as("customer_id"), col("email").as("_email"));
        Dataset<Row> withCustomer = tickets.join(byEmail, tickets.col("email").equalTo(byEmail.col("_email")), "left")
                .drop("_email")
                .withColumn("_created_ts", col("date_created").cast("timestamp"));
        return GoldModel.versionAt(withCustomer, "customer_id", "_created_ts", in.gold(LakeTables.GOLD_DIM_CUSTOMER),
                        "customer_id", "customer_key")
                .drop("_created_ts", "customer_name", "email", "phone", LakeTables.INGESTED_AT)
                .withColumn("created_date_key", dateKey(col("date_created")))
                .withColumn("resolved_date_key", dateKey(col("resolved_on")))
                .withColumn("closed_date_key", dateKey(col("closed_on")))
                .withColumn("days_to_resolve", datediff(col("resolved_on"), col("date_created")))
                .withColumn("is_resolved", col("status").equalTo(lit("Resolved")));
    }
}
