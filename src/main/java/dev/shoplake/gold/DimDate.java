package dev.shoplake.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;

import dev.shoplake.lake.LakeTables;
import java.sql.Date;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * gold.dim_date: a static calendar, every day of the years from the first date the facts carry to
 * the last. A run compares its changed rows' dates with the span the calendar holds (from the note of
 * the calendar's last commit, no Spark job) and writes only when a date falls outside it: once a
 * year, the year's days appended (no MERGE: by construction none of them is in the table yet).
 */
final class DimDate extends GoldTableModel {
    private static final StructType SPANS = new StructType().add("first", DataTypes.DateType, false)
            .add("last", DataTypes.DateType, false);

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
        // one small aggregate on the run's cached change feeds: the first and last date they carry
        Optional<CalendarSpan> needed = CalendarSpan.of(dates);
        Optional<CalendarSpan> held = in.calendar();
        List<CalendarSpan> missing = needed.isEmpty() ? List.of()
                : held.map(h -> h.missingFrom(h.extendedTo(needed.get())))
                        .orElse(List.of(CalendarSpan.years(needed.get().first().getYear(), needed.get().last().getYear())));
        return GoldModel.calendarDays(dates.sparkSession().createDataFrame(missing.stream()
                .map(s -> RowFactory.create(Date.valueOf(s.first()), Date.valueOf(s.last()))).toList(), SPANS));
    }

    @Override
    String commitNote(GoldInputs in, Dataset<Row> appended) {
        CalendarSpan added = CalendarSpan.of(appended.select("full_date")).orElseThrow();
        return in.calendar().map(h -> h.extendedTo(added)).orElse(added).note();
    }
}
