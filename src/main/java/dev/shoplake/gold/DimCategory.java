package dev.shoplake.gold;

import static dev.shoplake.gold.GoldModel.naturalKey;
import static org.apache.spark.sql.functions.col;

import dev.shoplake.lake.LakeTables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** gold.dim_category: one row per category (no history: a category's key is its natural key). */
final class DimCategory extends GoldTableModel {
    DimCategory() {
        super(LakeTables.GOLD_DIM_CATEGORY, List.of(GoldInputs.silver("categories")),
                List.of(), null);
    }

    @Override
    Dataset<Row> build(GoldInputs in) {
        return in.changed("categories").select(naturalKey("category", col("id")).as("category_key"),
                col("id").as("category_id"), col("name"), col("description"), col("is_deleted"));
    }
}
