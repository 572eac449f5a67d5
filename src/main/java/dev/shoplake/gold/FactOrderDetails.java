package dev.shoplake.gold;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.col;

import dev.shoplake.lake.LakeTables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * gold.fact_order_details: lines landed since the last run, lines of orders that changed (they
 * carry the order's status), and lines still waiting for their product.
 */
final class FactOrderDetails extends GoldTableModel {
    FactOrderDetails() {
        super(LakeTables.GOLD_FACT_ORDER_DETAILS, List.of(GoldInputs.silver("order_details"), GoldInputs.silver("sales"),
                        GoldInputs.silver("products")),
                List.of(LakeTables.GOLD_DIM_PRODUCT), "order_date_key");
    }

    @Override
    Dataset<Row> build(GoldInputs in) {
        Dataset<Row> lines = in.silverRows("order_details");
        Dataset<Row> ids = in.changed("order_details").select(col("id").as("order_detail_id"))
                .union(lines.join(in.changed("sales").select(col("id").as("sale_id")),
                        lines.col("order_id").equalTo(col("sale_id")), "left_semi").select(col("id").as("order_detail_id")))
                .union(in.waitingFor(table(), "order_detail_id", "product_key"));
        Dataset<Row> orderTimes = in.silverRows("sales").select(col("id").as("sale_id"), col("order_date"),
                col("order_status").cast("string").as("order_status"));
        Dataset<Row> changedLines = lines.join(ids.distinct(), col("id").equalTo(col("order_detail_id")), "left_semi")
                .select(col("id").as("order_detail_id"), col("order_id").as("sale_id"), col("product_id"),
                        col("quantity"), col("unit_price"), col("total_price"), col("is_deleted"))
                .join(orderTimes, "sale_id");
        Dataset<Row> dimProduct = in.gold(LakeTables.GOLD_DIM_PRODUCT);
        return GoldModel.versionAt(changedLines, "product_id", "order_date", dimProduct, "product_id", "product_key")
                .join(dimProduct.select("product_key", "category_key"), new String[] {"product_key"}, "left")
                .withColumn("order_date_key", dateKey(col("order_date")));
    }
}
