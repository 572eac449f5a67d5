package dev.shoplake.gold;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.dayofmonth;
import static org.apache.spark.sql.functions.dayofweek;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.quarter;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.weekofyear;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.functions.year;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The star schema's building blocks, as pure functions of datasets. Surrogate keys are hashes of
 * the natural key (and, for history, the version's start), so a full rebuild gives the same keys.
 */
public final class GoldModel {
    /** The key a fact gets when its dimension row has not been landed yet (a late-arriving dimension). */
    public static final long UNKNOWN_KEY = dev.shoplake.lake.LakeTables.UNKNOWN_KEY;

    private GoldModel() {
    }

    /** yyyymmdd as an int, from a date or timestamp column (in the session's UTC). */
    public static Column dateKey(Column dateOrTimestamp) {
        return date_format(dateOrTimestamp, "yyyyMMdd").cast("int");
    }

    /** The calendar's rows for every day of each span ({@code first} to {@code last} date, inclusive). */
    public static Dataset<Row> calendarDays(Dataset<Row> spans) {
        return spans.select(explode(sequence(col("first"), col("last"))).as("full_date"))
                .select(
                        dateKey(col("full_date")).as("date_key"),
                        col("full_date"),
                        dayofmonth(col("full_date")).as("day"),
                        date_format(col("full_date"), "EEEE").as("day_of_week_name"),
                        // ISO: Monday = 1 ... Sunday = 7 (Spark's dayofweek is Sunday = 1)
                        ((dayofweek(col("full_date")).plus(5)).mod(7).plus(1)).as("day_of_week"),
                        weekofyear(col("full_date")).as("week_of_year"),
                        month(col("full_date")).as("month"),
                        date_format(col("full_date"), "MMMM").as("month_name"),
                        quarter(col("full_date")).as("quarter"),
                        year(col("full_date")).as("year"),
                        dayofweek(col("full_date")).isin(1, 7).as("is_weekend"));
    }

    /**
     * Type 2 history of an entity from its landed versions: a new version starts only when a tracked
     * attribute changes (a stock level moving is not a new product). The first version is valid
     * from the entity's creation, later ones from their {@code updated_at}; {@code valid_to} is the
     * next version's start (exclusive), null for the current one.
     *
     * @param versions rows with id, created_at, updated_at and the tracked columns (any order, duplicates allowed)
     */
    public static Dataset<Row> scd2(Dataset<Row> versions, String entity, List<String> tracked, String keyColumn) {
        List<Column> trackedCols = new ArrayList<>();
        tracked.forEach(c -> trackedCols.add(col(c)));
        WindowSpec byTime = Window.partitionBy("id").orderBy("updated_at");
        Column hash = xxhash64(trackedCols.toArray(Column[]::new));
        Dataset<Row> changes = versions.dropDuplicates("id", "updated_at")
                .withColumn("_hash", hash)
                .withColumn("_previous", lag(col("_hash"), 1).over(byTime))
                .where(col("_previous").isNull().or(col("_previous").notEqual(col("_hash"))))
                .withColumn("valid_from", when(col("_previous").isNull(), col("created_at")).otherwise(col("updated_at")));
        List<Column> out = new ArrayList<>();
        out.add(xxhash64(lit(entity), col("id"), col("valid_from")).as(keyColumn));
        out.add(col("id").as(entity + "_id"));
        out.addAll(trackedCols);
        out.add(col("valid_from"));
        out.add(lead(col("valid_from"), 1).over(Window.partitionBy("id").orderBy("valid_from")).as("valid_to"));
        return changes.select(out.toArray(Column[]::new))
                .withColumn("is_current", col("valid_to").isNull());
    }

    /**
     * The dimension key of the version valid at {@code factTime} for each fact row, or
     * {@link #UNKNOWN_KEY} when there is none (yet). Adds {@code keyColumn} to the facts.
     */
    public static Dataset<Row> versionAt(Dataset<Row> facts, String factIdColumn, String factTimeColumn,
                                         Dataset<Row> dimension, String dimIdColumn, String keyColumn) {
        Dataset<Row> dim = dimension.select(col(dimIdColumn).as("_dim_id"), col("valid_from").as("_from"),
                col("valid_to").as("_to"), col(keyColumn).as("_key"));
        Column during = col(factIdColumn).equalTo(col("_dim_id"))
                .and(col("_from").leq(col(factTimeColumn)))
                .and(col("_to").isNull().or(col(factTimeColumn).lt(col("_to"))));
        return facts.join(dim, during, "left")
                .withColumn(keyColumn, coalesce(col("_key"), lit(UNKNOWN_KEY)))
                .drop("_dim_id", "_from", "_to", "_key");
    }

    /** A stable key for a dimension without history. */
    public static Column naturalKey(String entity, Column id) {
        return xxhash64(lit(entity), id);
    }
}
