package dev.shoplake.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;

import dev.shoplake.lake.LakeTables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * gold.dim_date: every day from the first to the last date the facts carry (it only grows). A run
 * builds only the days outside the calendar it has (usually the one new day), which are appended:
 * no MERGE, since by construction none of them is in the table yet.
 */
final class DimDate extends GoldTableModel {
    DimDate() {
        super(LakeTables.GOLD_DIM_DATE, List.of(GoldInputs.silver("sales"), GoldInputs.silver("payments"),
                        GoldInputs.silver("shopping_carts"), LakeTables.SILVER_SUPPORT_TICKETS),
                List.of(), null);
    }

    @Override
    boolean appendsOnly() {
        return true;
    }

    @Override
    Dataset<Row> build(GoldInputs in) {
        Dataset<Row> dates = in.changed("sales").select(to_date(col("order_date")).as("d"))
                .union(in.changed("payments").select(to_date(col("payment_date")).as("d")))
                .union(in.changed("shopping_carts").select(to_date(col("created_at")).as("d")));
        if (in.exists(LakeTables.SILVER_SUPPORT_TICKETS)) {
            Dataset<Row> changedTickets = in.changed(LakeTables.SILVER_SUPPORT_TICKETS);
            dates = dates.union(changedTickets.select(col("date_created").as("d")))
                    .union(changedTickets.select(col("closed_on").as("d")))
                    .union(changedTickets.select(col("resolved_on").as("d")));
        }
        Dataset<Row> calendar = in.goldExists(LakeTables.GOLD_DIM_DATE)
                ? in.gold(LakeTables.GOLD_DIM_DATE).select(col("full_date")) : null;
        return GoldModel.newDays(dates.where(col("d").isNotNull()), calendar);
    }
}
