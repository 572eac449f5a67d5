package dev.shoplake.lake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Every table of the lake, defined once. Jobs, registration, docs and tests all read these. */
public final class LakeTables {
    public static final List<String> LAYERS = List.of("bronze", "silver", "gold", "ops");

    /** Lineage columns every bronze row carries. */
    public static final String INGESTED_AT = "_ingested_at";
    public static final String SOURCE = "_source";
    public static final String RUN_ID = "_run_id";

    private static final List<TableSpec> ALL = new ArrayList<>();

    /** The source tables landed from PostgreSQL (customers.password_hash is never read). */
    public static final List<String> POSTGRES_TABLES = List.of("categories", "customers", "addresses", "products",
            "shopping_carts", "cart_items", "sales", "order_details", "payments");

    public static final Map<String, TableSpec> BRONZE_POSTGRES;

    static {
        Map<String, TableSpec> pg = new LinkedHashMap<>();
        for (String t : POSTGRES_TABLES) {
            pg.put(t, add(new TableSpec("bronze", t, null, List.of("id", "updated_at"),
                    "one row per version of a source row (a new version each time updated_at moves)", List.of(),
                    Map.of(), "PostgreSQL ecommerce.public." + t + " as landed, append-only, with lineage; columns "
                    + "follow the source, so a new source column arrives as a new column")));
        }
        BRONZE_POSTGRES = Collections.unmodifiableMap(pg);
    }

    public static final TableSpec BRONZE_DELETED_ROWS = add(new TableSpec("bronze", "deleted_rows", null,
            List.of("seq"), "one row per row deleted in the source", List.of(), Map.of(),
            "PostgreSQL's delete log (filled by trigger): deletes are facts too, e.g. carts deleted at checkout"));

    public static final TableSpec BRONZE_SUPPORT_TICKETS = add(new TableSpec("bronze", "support_tickets", schema(
            col("ticket_id", DataTypes.StringType, false),
            col("customer_name", DataTypes.StringType, true),
            col("email", DataTypes.StringType, true),
            col("phone", DataTypes.StringType, true),
            col("issue_category", DataTypes.StringType, false),
            col("issue_description", DataTypes.StringType, true),
            col("date_created", DataTypes.DateType, false),
            col("resolution_status", DataTypes.StringType, false),
            col("resolution_date", DataTypes.DateType, true),
            col("report_date", DataTypes.DateType, false),
            col("_file", DataTypes.StringType, false),
            col("_line", DataTypes.IntegerType, false),
            col(INGESTED_AT, DataTypes.TimestampType, false),
            col(SOURCE, DataTypes.StringType, false),
            col(RUN_ID, DataTypes.StringType, false)),
            List.of("_file", "_line"), "one row per line of a daily report that parsed (duplicates kept)",
            List.of("report_date"), Map.of(),
            "the daily support reports from FTP, typed and validated, noise and all"));

    public static final TableSpec BRONZE_SUPPORT_QUARANTINE = add(new TableSpec("bronze", "support_tickets_quarantine",
            schema(col("_file", DataTypes.StringType, false),
                    col("_line", DataTypes.IntegerType, false),
                    col("raw_text", DataTypes.StringType, true),
                    col("reason", DataTypes.StringType, false),
                    col("report_date", DataTypes.DateType, false),
                    col(INGESTED_AT, DataTypes.TimestampType, false),
                    col(RUN_ID, DataTypes.StringType, false)),
            List.of("_file", "_line"), "one row per report line (or empty file) that could not be landed, with why",
            List.of(), Map.of(), "report lines that did not parse; good + quarantined = lines in the file"));

    public static final TableSpec BRONZE_REPORT_FILES = add(new TableSpec("bronze", "support_report_files", schema(
            col("file_name", DataTypes.StringType, false),
            col("report_date", DataTypes.DateType, true),
            col("size_bytes", DataTypes.LongType, false),
            col("sha256", DataTypes.StringType, false),
            col("rows_in_file", DataTypes.IntegerType, false),
            col("rows_landed", DataTypes.IntegerType, false),
            col("rows_quarantined", DataTypes.IntegerType, false),
            col("landed_at", DataTypes.TimestampType, false),
            col(RUN_ID, DataTypes.StringType, false)),
            List.of("file_name"), "one row per report file landed", List.of(),
            Map.of("rows_add_up", "rows_landed + rows_quarantined = rows_in_file"),
            "the file ledger: what was landed from FTP, exactly once per file content"));

    public static final TableSpec OPS_JOB_RUNS = add(new TableSpec("ops", "job_runs", schema(
            col("run_id", DataTypes.StringType, false),
            col("job", DataTypes.StringType, false),
            col("table_name", DataTypes.StringType, false),
            col("status", DataTypes.StringType, false),
            col("rows_read", DataTypes.LongType, false),
            col("rows_written", DataTypes.LongType, false),
            col("rows_quarantined", DataTypes.LongType, false),
            col("started_at", DataTypes.TimestampType, false),
            col("duration_ms", DataTypes.LongType, false),
            col("message", DataTypes.StringType, true)),
            List.of("run_id", "table_name"), "one row per table a job run touched", List.of(),
            Map.of("known_status", "status IN ('ok', 'failed')"), "the audit of every batch job run"));

    public static final TableSpec OPS_ALARMS = add(new TableSpec("ops", "alarms", schema(
            col("kind", DataTypes.StringType, false),
            col("subject", DataTypes.StringType, false),
            col("detail", DataTypes.StringType, false),
            col("detected_at", DataTypes.TimestampType, false),
            col("run_id", DataTypes.StringType, false)),
            List.of("kind", "subject"), "one row per problem found (raised once)", List.of(), Map.of(),
            "things a person must look at, e.g. a daily report that was deleted before it was landed"));

    private LakeTables() {
    }

    public static List<TableSpec> all() {
        return Collections.unmodifiableList(ALL);
    }

    private static TableSpec add(TableSpec spec) {
        ALL.add(spec);
        return spec;
    }

    static StructField col(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    static StructType schema(StructField... fields) {
        return DataTypes.createStructType(fields);
    }
}
