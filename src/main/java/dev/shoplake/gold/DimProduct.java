package dev.shoplake.gold;

import static dev.shoplake.gold.GoldModel.naturalKey;
import static org.apache.spark.sql.functions.col;

import dev.shoplake.lake.LakeTables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** gold.dim_product: SCD2 over every landed version of the products whose rows changed, with their category's key. */
final class DimProduct extends GoldTableModel {
    static final List<String> ATTRIBUTES = List.of("name", "description", "price", "category_id", "image_url");

    DimProduct() {
        super(LakeTables.GOLD_DIM_PRODUCT, List.of(GoldInputs.silver("products")),
                List.of(), null);
    }

    @Override
    Dataset<Row> build(GoldInputs in) {
        Dataset<Row> ids = in.changed("products").select("id");
        return GoldModel.scd2(in.bronze("products").join(ids, "id"), "product", ATTRIBUTES, "product_key")
                .withColumn("category_key", naturalKey("category", col("category_id")));
    }
}
