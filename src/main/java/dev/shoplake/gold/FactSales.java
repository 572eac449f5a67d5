package dev.shoplake.gold;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.col;

import dev.shoplake.lake.LakeTables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** gold.fact_sales: orders landed since the last run, and orders still waiting for their customer. */
final class FactSales extends GoldTableModel {
    FactSales() {
        super(LakeTables.GOLD_FACT_SALES, List.of(GoldInputs.silver("sales"), GoldInputs.silver("customers")),
                List.of(LakeTables.GOLD_DIM_CUSTOMER), "order_date_key");
    }

    @Override
    Dataset<Row> build(GoldInputs in) {
        Dataset<Row> ids = in.changed("sales").select(col("id").as("sale_id"))
                .union(in.waitingFor(table(), "sale_id", "customer_key"));
        Dataset<Row> sales = in.silverRows("sales").join(ids.distinct(), col("id").equalTo(col("sale_id")), "left_semi");
        return GoldModel.versionAt(sales.select(col("id").as("sale_id"), col("customer_id"),
                        col("order_date"), col("order_status").cast("string").as("order_status"), col("total_amount"),
                        col("payment_id"), col("cart_id"), col("shipping_address_id"), col("billing_address_id"),
                        col("is_deleted")),
                "customer_id", "order_date", in.gold(LakeTables.GOLD_DIM_CUSTOMER), "customer_id", "customer_key")
                .withColumn("order_date_key", dateKey(col("order_date")));
    }
}
