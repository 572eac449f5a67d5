package dev.shoplake.gold;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import dev.shoplake.lake.LakeTables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** gold.dim_cart: carts landed since the last run, carts whose sale changed, waiting carts; with the completed sale each became. */
final class DimCart extends GoldTableModel {
    DimCart() {
        super(LakeTables.GOLD_DIM_CART, List.of(GoldInputs.silver("shopping_carts"), GoldInputs.silver("sales"),
                        GoldInputs.silver("customers")),
                List.of(LakeTables.GOLD_DIM_CUSTOMER), "created_date_key");
    }

    @Override
    Dataset<Row> build(GoldInputs in) {
        Dataset<Row> ids = in.changed("shopping_carts").select(col("id").as("cart_id"))
                .union(in.changed("sales").where(col("cart_id").isNotNull()).select("cart_id"))
                .union(in.waitingFor(table(), "cart_id", "customer_key"));
        Dataset<Row> carts = in.silverRows("shopping_carts")
                .join(ids.distinct(), col("id").equalTo(col("cart_id")), "left_semi")
                .select(col("id").as("cart_id"), col("customer_id"), col("created_at"), col("is_deleted"),
                        col("deleted_at"));
        Dataset<Row> completedSaleOfCart = in.silverRows("sales")
                .where(col("order_status").cast("string").equalTo("Completed"))
                .where(col("cart_id").isNotNull())
                .join(carts.select("cart_id"), "cart_id")
                .groupBy("cart_id").agg(max("id").as("sale_id"));
        return GoldModel.versionAt(carts, "customer_id", "created_at", in.gold(LakeTables.GOLD_DIM_CUSTOMER),
                        "customer_id", "customer_key")
                .join(completedSaleOfCart, new String[] {"cart_id"}, "left")
                .withColumn("created_date_key", dateKey(col("created_at")));
    }
}
