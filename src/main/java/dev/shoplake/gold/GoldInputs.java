package dev.shoplake.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.InputVersions;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What a gold model reads, fixed at the start of the run: silver's rows (all of them, or those
 * changed since gold's last run, from {@link InputVersions}), bronze's landed versions (history for
 * the SCD2 dimensions), and gold's own tables (the dimensions facts look up).
 */
public final class GoldInputs {
    private final SparkSession spark;
    private final DeltaWriter writer;
    private final InputVersions inputs;

    GoldInputs(SparkSession spark, DeltaWriter writer, InputVersions inputs) {
        this.spark = spark;
        this.writer = writer;
        this.inputs = inputs;
    }

    /** silver.{table} rows changed since the last gold run. */
    public Dataset<Row> changed(String silverTable) {
        return inputs.changed(silver(silverTable));
    }

    public Dataset<Row> changed(TableSpec spec) {
        return inputs.changed(spec);
    }

    /** Every current row of silver.{table}, as of the run's start. */
    public Dataset<Row> silverRows(String table) {
        return inputs.all(silver(table));
    }

    public Dataset<Row> all(TableSpec spec) {
        return inputs.all(spec);
    }

    public boolean exists(TableSpec spec) {
        return inputs.exists(spec);
    }

    /** Every landed version of bronze.{table}. */
    public Dataset<Row> bronze(String table) {
        return writer.read(LakeTables.BRONZE_POSTGRES.get(table));
    }

    public Dataset<Row> gold(TableSpec spec) {
        return writer.read(spec);
    }

    /**
     * The days gold.dim_date holds: from the note of its newest commit (no Spark job), else from its
     * rows (a table written before the calendar kept one); empty before its first day.
     */
    Optional<CalendarSpan> calendar() {
        if (!writer.exists(LakeTables.GOLD_DIM_DATE)) {
            return Optional.empty();
        }
        Optional<CalendarSpan> noted = writer.newestCommitNote(LakeTables.GOLD_DIM_DATE).flatMap(CalendarSpan::fromNote);
        if (noted.isPresent()) {
            return noted;
        }
        return CalendarSpan.of(gold(LakeTables.GOLD_DIM_DATE).select("full_date"));
    }

    /**
     * Ids of rows already in gold whose dimension had not arrived (key {@link GoldModel#UNKNOWN_KEY}),
     * tried again when that dimension moved (otherwise nothing can have arrived for them, and the
     * table is not scanned).
     */
    public Dataset<Row> waitingFor(TableSpec spec, String idColumn, String keyColumn) {
        TableSpec dimension = silver(keyColumn.equals("product_key") ? "products" : "customers");
        if (!writer.exists(spec) || !inputs.moved(dimension)) {
            return spark.emptyDataFrame().select(lit(null).cast(idColumn.equals("ticket_id") ? "string" : "int")
                    .as(idColumn));
        }
        return gold(spec).where(col(keyColumn).equalTo(GoldModel.UNKNOWN_KEY)).select(idColumn);
    }

    static TableSpec silver(String table) {
        return LakeTables.SILVER_POSTGRES.get(table);
    }
}
