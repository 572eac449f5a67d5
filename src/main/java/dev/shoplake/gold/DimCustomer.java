package dev.shoplake.gold;

import dev.shoplake.lake.LakeTables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** gold.dim_customer: SCD2 over every landed version of the customers whose rows changed. */
final class DimCustomer extends GoldTableModel {
    static final List<String> ATTRIBUTES = List.of("first_name", "last_name", "email", "phone", "date_of_birth");

    DimCustomer() {
        super(LakeTables.GOLD_DIM_CUSTOMER, List.of(GoldInputs.silver("customers")),
                List.of(), null);
    }

    @Override
    Dataset<Row> build(GoldInputs in) {
        Dataset<Row> ids = in.changed("customers").select("id");
        return GoldModel.scd2(in.bronze("customers").join(ids, "id"), "customer", ATTRIBUTES, "customer_key");
    }
}
