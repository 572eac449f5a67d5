package dev.shoplake.gold;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.col;

import dev.shoplake.lake.LakeTables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** gold.fact_payments: attempts landed since the last run, attempts of orders that changed, waiting attempts. */
final class FactPayments extends GoldTableModel {
    FactPayments() {
        super(LakeTables.GOLD_FACT_PAYMENTS, List.of(GoldInputs.silver("payments"), GoldInputs.silver("sales"),
                        GoldInputs.silver("customers")),
                List.of(LakeTables.GOLD_DIM_CUSTOMER), "payment_date_key");
    }

    @Override
    Dataset<Row> build(GoldInputs in) {
        Dataset<Row> payments = in.silverRows("payments");
        Dataset<Row> ids = in.changed("payments").select(col("id").as("payment_id"))
                .union(payments.join(in.changed("sales").select(col("id").as("sale_id")),
                        payments.col("order_id").equalTo(col("sale_id")), "left_semi").select(col("id").as("payment_id")))
                .union(in.waitingFor(table(), "payment_id", "customer_key"));
        Dataset<Row> changed = payments.join(ids.distinct(), col("id").equalTo(col("payment_id")), "left_semi")
                .select(col("id").as("payment_id"), col("order_id").as("sale_id"), col("payment_date"),
                        col("payment_method").cast("string").as("payment_method"),
                        col("payment_status").cast("string").as("payment_status"), col("transaction_id"), col("is_deleted"))
                .join(in.silverRows("sales").select(col("id").as("sale_id"), col("customer_id"),
                        col("total_amount").as("amount")), "sale_id");
        return GoldModel.versionAt(changed, "customer_id", "payment_date", in.gold(LakeTables.GOLD_DIM_CUSTOMER),
                        "customer_id", "customer_key")
                .withColumn("payment_date_key", dateKey(col("payment_date")));
    }
}
