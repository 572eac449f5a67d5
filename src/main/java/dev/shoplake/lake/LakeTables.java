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

    public static final Map<String, TableSpec> SILVER_POSTGRES;

    static {
        Map<String, TableSpec> silver = new LinkedHashMap<>();
        for (String t : POSTGRES_TABLES) {
            silver.put(t, add(new TableSpec("silver", t, null, List.of("id"),
                    "one row per source id: its latest version, is_deleted when the source deleted it", List.of(),
                    Map.of(), "the source's " + t + " conformed: typed, deduplicated, current, deletes kept as flags")));
        }
        SILVER_POSTGRES = Collections.unmodifiableMap(silver);
    }

    public static final TableSpec SILVER_SUPPORT_TICKETS = add(new TableSpec("silver", "support_tickets", schema(
            col("ticket_id", DataTypes.StringType, false),
            col("customer_name", DataTypes.StringType, true),
            col("email", DataTypes.StringType, true),
            col("phone", DataTypes.StringType, true),
            col("issue_category", DataTypes.StringType, true),
            col("issue_description", DataTypes.StringType, true),
            col("date_created", DataTypes.DateType, true),
            col("status", DataTypes.StringType, true),
            col("escalated", DataTypes.BooleanType, true),
            col("resolved_on", DataTypes.DateType, true),
            col("closed_on", DataTypes.DateType, true),
            col("resolved_after_close_on", DataTypes.DateType, true),
            col("last_reported_on", DataTypes.DateType, true),
            col("report_count", DataTypes.IntegerType, true),
            // when the report that last changed this ticket was landed: gold's incremental watermark
            col(INGESTED_AT, DataTypes.TimestampType, true)),
            List.of("ticket_id"), "one row per support ticket", List.of(),
            Map.of("known_status", AcceptedValues.in("status", AcceptedValues.TICKET_STATUSES)),
            "each ticket's lifecycle across the daily reports: noise cleaned, closed 7 days after creation "
                    + "when not resolved (silver.TicketLifecycle)"));

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

    // ---- gold: the star schema (gold.GoldJob). Rows are conformed to these columns before each
    // MERGE; NOT NULL and CHECK constraints are created with the table.

    private static final DataType MONEY = DataTypes.createDecimalType(10, 2);

    public static final TableSpec GOLD_DIM_DATE = add(gold("dim_date", schema(
                    col("date_key", DataTypes.IntegerType, false),
                    col("full_date", DataTypes.DateType, false),
                    col("day", DataTypes.IntegerType, false),
                    col("day_of_week_name", DataTypes.StringType, false),
                    col("day_of_week", DataTypes.IntegerType, false),
                    col("week_of_year", DataTypes.IntegerType, false),
                    col("month", DataTypes.IntegerType, false),
                    col("month_name", DataTypes.StringType, false),
                    col("quarter", DataTypes.IntegerType, false),
                    col("year", DataTypes.IntegerType, false),
                    col("is_weekend", DataTypes.BooleanType, false)),
            List.of("date_key"), "one row per calendar day", List.of(),
            Map.of("iso_day_of_week", "day_of_week BETWEEN 1 AND 7"), "every day of the years the data covers"));
    public static final TableSpec GOLD_DIM_CATEGORY = add(gold("dim_category", schema(
                    col("category_key", DataTypes.LongType, false),
                    col("category_id", DataTypes.IntegerType, false),
                    col("name", DataTypes.StringType, true),
                    col("description", DataTypes.StringType, true),
                    col("is_deleted", DataTypes.BooleanType, false)),
            List.of("category_key"), "one row per category", List.of(), Map.of(), "product categories"));
    public static final TableSpec GOLD_DIM_CUSTOMER = add(gold("dim_customer", schema(
                    col("customer_key", DataTypes.LongType, false),
                    col("customer_id", DataTypes.IntegerType, false),
                    col("first_name", DataTypes.StringType, true),
                    col("last_name", DataTypes.StringType, true),
                    col("email", DataTypes.StringType, true),
                    col("phone", DataTypes.StringType, true),
                    col("date_of_birth", DataTypes.DateType, true),
                    col("valid_from", DataTypes.TimestampType, false),
                    col("valid_to", DataTypes.TimestampType, true),
                    col("is_current", DataTypes.BooleanType, false)),
            List.of("customer_key"), "one row per version of a customer (SCD type 2)", List.of(),
            Map.of("valid_range", "valid_to IS NULL OR valid_to > valid_from"),
            "customers with history: a change of name, email, phone or birth date starts a new version"));
    public static final TableSpec GOLD_DIM_PRODUCT = add(gold("dim_product", schema(
                    col("product_key", DataTypes.LongType, false),
                    col("product_id", DataTypes.IntegerType, false),
                    col("name", DataTypes.StringType, true),
                    col("description", DataTypes.StringType, true),
                    col("price", MONEY, true),
                    col("category_id", DataTypes.IntegerType, true),
                    col("category_key", DataTypes.LongType, true),
                    col("image_url", DataTypes.StringType, true),
                    col("valid_from", DataTypes.TimestampType, false),
                    col("valid_to", DataTypes.TimestampType, true),
                    col("is_current", DataTypes.BooleanType, false)),
            List.of("product_key"), "one row per version of a product (SCD type 2)", List.of(),
            Map.of("valid_range", "valid_to IS NULL OR valid_to > valid_from", "price_not_negative", "price >= 0"),
            "products with history: a change of name, description, price, category or image starts a new version; "
                    + "stock is a measure (fact_product_stock), not an attribute"));
    public static final TableSpec GOLD_DIM_CART = add(gold("dim_cart", schema(
                    col("cart_id", DataTypes.IntegerType, false),
                    col("customer_id", DataTypes.IntegerType, true),
                    col("customer_key", DataTypes.LongType, false),
                    col("created_at", DataTypes.TimestampType, false),
                    col("created_date_key", DataTypes.IntegerType, false),
                    col("is_deleted", DataTypes.BooleanType, false),
                    col("deleted_at", DataTypes.TimestampType, true),
                    col("sale_id", DataTypes.IntegerType, true)),
            List.of("cart_id"), "one row per cart ever opened", List.of("created_date_key"), Map.of(),
            "carts with their customer and the completed sale each became (sales.cart_id), deleted ones kept"));
    public static final TableSpec GOLD_FACT_SALES = add(gold("fact_sales", schema(
                    col("sale_id", DataTypes.IntegerType, false),
                    col("order_date", DataTypes.TimestampType, false),
                    col("order_date_key", DataTypes.IntegerType, false),
                    col("customer_id", DataTypes.IntegerType, true),
                    col("customer_key", DataTypes.LongType, false),
                    col("order_status", DataTypes.StringType, false),
                    col("total_amount", MONEY, false),
                    col("payment_id", DataTypes.IntegerType, true),
                    col("cart_id", DataTypes.IntegerType, true),
                    col("shipping_address_id", DataTypes.IntegerType, true),
                    col("billing_address_id", DataTypes.IntegerType, true),
                    col("is_deleted", DataTypes.BooleanType, false)),
            List.of("sale_id"), "one row per order", List.of("order_date_key"),
            Map.of("amount_not_negative", "total_amount >= 0",
                    "known_status", AcceptedValues.in("order_status", AcceptedValues.ORDER_STATUSES)),
            "orders: amount, status, the customer version at order time, the paid payment"));
    public static final TableSpec GOLD_FACT_ORDER_DETAILS = add(gold("fact_order_details", schema(
                    col("order_detail_id", DataTypes.IntegerType, false),
                    col("sale_id", DataTypes.IntegerType, false),
                    col("order_date", DataTypes.TimestampType, false),
                    col("order_date_key", DataTypes.IntegerType, false),
                    col("order_status", DataTypes.StringType, false),
                    col("product_id", DataTypes.IntegerType, true),
                    col("product_key", DataTypes.LongType, false),
                    col("category_key", DataTypes.LongType, true),
                    col("quantity", DataTypes.IntegerType, false),
                    col("unit_price", MONEY, false),
                    col("total_price", MONEY, false),
                    col("is_deleted", DataTypes.BooleanType, false)),
            List.of("order_detail_id"), "one row per order line", List.of("order_date_key"),
            Map.of("quantity_positive", "quantity > 0", "total_is_price_times_quantity", "total_price = unit_price * quantity"),
            "order lines with the product version valid at order time and its category"));
    public static final TableSpec GOLD_FACT_PAYMENTS = add(gold("fact_payments", schema(
                    col("payment_id", DataTypes.IntegerType, false),
                    col("sale_id", DataTypes.IntegerType, false),
                    col("payment_date", DataTypes.TimestampType, false),
                    col("payment_date_key", DataTypes.IntegerType, false),
                    col("customer_id", DataTypes.IntegerType, true),
                    col("customer_key", DataTypes.LongType, false),
                    col("payment_method", DataTypes.StringType, true),
                    col("payment_status", DataTypes.StringType, false),
                    col("transaction_id", DataTypes.StringType, true),
                    col("amount", MONEY, false),
                    col("is_deleted", DataTypes.BooleanType, false)),
            List.of("payment_id"), "one row per payment attempt", List.of("payment_date_key"),
            Map.of("known_status", AcceptedValues.in("payment_status", AcceptedValues.PAYMENT_STATUSES)),
            "payment attempts, paid and failed, with the order's amount"));
    public static final TableSpec GOLD_FACT_SUPPORT_TICKET = add(gold("fact_support_ticket", schema(
                    col("ticket_id", DataTypes.StringType, false),
                    col("customer_id", DataTypes.IntegerType, true),
                    col("customer_key", DataTypes.LongType, false),
                    col("issue_category", DataTypes.StringType, true),
                    col("issue_description", DataTypes.StringType, true),
                    col("status", DataTypes.StringType, false),
                    col("escalated", DataTypes.BooleanType, true),
                    col("date_created", DataTypes.DateType, false),
                    col("created_date_key", DataTypes.IntegerType, false),
                    col("resolved_on", DataTypes.DateType, true),
                    col("resolved_date_key", DataTypes.IntegerType, true),
                    col("closed_on", DataTypes.DateType, true),
                    col("closed_date_key", DataTypes.IntegerType, true),
                    col("resolved_after_close_on", DataTypes.DateType, true),
                    col("days_to_resolve", DataTypes.IntegerType, true),
                    col("is_resolved", DataTypes.BooleanType, false),
                    col("last_reported_on", DataTypes.DateType, true),
                    col("report_count", DataTypes.IntegerType, true)),
            List.of("ticket_id"), "one row per support ticket", List.of("created_date_key"),
            Map.of("known_status", AcceptedValues.in("status", AcceptedValues.TICKET_STATUSES)),
            "support tickets with their lifecycle dates (created, resolved, closed) and the customer who raised them"));

    // ---- gold from the stream (streaming.EventStream)

    public static final TableSpec GOLD_FACT_CART_ACTIVITY = add(new TableSpec("gold", "fact_cart_activity", schema(
            col("event_id", DataTypes.StringType, false),
            col("action", DataTypes.StringType, false),
            col("event_time", DataTypes.TimestampType, false),
            col("date_key", DataTypes.IntegerType, false),
            col("cart_id", DataTypes.IntegerType, false),
            col("customer_id", DataTypes.IntegerType, false),
            col("customer_key", DataTypes.LongType, false),
            col("product_id", DataTypes.IntegerType, true),
            col("product_key", DataTypes.LongType, true),
            col("quantity", DataTypes.IntegerType, true),
            col("unit_price", DataTypes.createDecimalType(10, 2), true),
            col("sale_id", DataTypes.IntegerType, true)),
            List.of("event_id"), "one row per cart action (create, add, remove, checkout, delete)", List.of("date_key"),
            Map.of("known_action", AcceptedValues.in("action", AcceptedValues.CART_ACTIONS),
                    "product_key_with_product", "(product_id IS NULL) = (product_key IS NULL)"),
            "cart actions from the store stream; customer and product keys are the dimension versions valid at "
                    + "the event time, -1 until that version reaches gold (then filled in by the stream)"));
    public static final TableSpec GOLD_FACT_PRODUCT_STOCK = add(new TableSpec("gold", "fact_product_stock", schema(
            col("event_id", DataTypes.StringType, false),
            col("event_time", DataTypes.TimestampType, false),
            col("date_key", DataTypes.IntegerType, false),
            col("product_id", DataTypes.IntegerType, false),
            col("product_key", DataTypes.LongType, false),
            col("delta", DataTypes.IntegerType, false),
            col("stock_level", DataTypes.IntegerType, false),
            col("reason", DataTypes.StringType, false),
            col("cart_id", DataTypes.IntegerType, true),
            col("stream_position", DataTypes.LongType, false)),
            List.of("event_id"), "one row per stock change of a product", List.of("date_key"),
            Map.of("level_not_negative", "stock_level >= 0",
                    "known_reason", AcceptedValues.in("reason", AcceptedValues.STOCK_REASONS)),
            "stock levels over time: the change, why, and the level after it; stream_position (the Kafka "
                    + "offset, one partition per product) orders changes at the same instant"));
    public static final TableSpec GOLD_STOCK_CURRENT = add(new TableSpec("gold", "stock_current", schema(
            col("product_id", DataTypes.IntegerType, false),
            col("stock_level", DataTypes.IntegerType, false),
            col("event_time", DataTypes.TimestampType, false),
            col("stream_position", DataTypes.LongType, false),
            col("event_id", DataTypes.StringType, false)),
            List.of("product_id"), "one row per product: its latest stock level", List.of(),
            Map.of("level_not_negative", "stock_level >= 0"),
            "each product's stock now (the latest fact_product_stock row); stock alerts are "
                    + "WHERE stock_level < spark.lakehouse.stream.stock-alert-below"));
    public static final TableSpec GOLD_LIVE_TRAFFIC = add(new TableSpec("gold", "live_traffic_minute", trafficCounts(
            col("cart_conversion", DataTypes.DoubleType, true)),
            List.of("minute"), "one row per minute of event time", List.of("date_key"),
            Map.of("counts_not_negative", "sessions >= 0 AND page_views >= 0 AND store_actions >= 0"),
            "live website and store traffic per minute of event time for the dashboard: the sum of "
                    + "gold.live_traffic_increments per minute (a late event in its own minute), its touched days "
                    + "rewritten every few seconds"));
    public static final TableSpec GOLD_LIVE_TRAFFIC_INCREMENTS = add(new TableSpec("gold", "live_traffic_increments",
            trafficCounts(col("query_id", DataTypes.StringType, false),
            col("batch_id", DataTypes.LongType, false)),
            List.of("minute", "query_id", "batch_id"), "one row per minute of event time and micro-batch that counted "
                    + "events in it", List.of("date_key"),
            Map.of("counts_not_negative", "sessions >= 0 AND page_views >= 0 AND store_actions >= 0"),
            "each micro-batch's traffic per minute, appended as it commits (the stream's one write for traffic); "
                    + "gold.live_traffic_minute is their sum per minute"));
    /** A minute of traffic (minute, date_key and the counts the live minutes keep), then {@code after}. */
    private static StructType trafficCounts(StructField... after) {
        List<StructField> columns = new ArrayList<>(List.of(
                col("minute", DataTypes.TimestampType, false),
                col("date_key", DataTypes.IntegerType, false),
                col("sessions", DataTypes.LongType, false),
                col("page_views", DataTypes.LongType, false),
                col("store_actions", DataTypes.LongType, false),
                col("carts_created", DataTypes.LongType, false),
                col("add_to_carts", DataTypes.LongType, false),
                col("checkouts", DataTypes.LongType, false),
                col("orders_paid", DataTypes.LongType, false),
                col("payments_failed", DataTypes.LongType, false),
                col("revenue", DataTypes.createDecimalType(18, 2), false)));
        columns.addAll(List.of(after));
        return schema(columns.toArray(StructField[]::new));
    }

    public static final TableSpec BRONZE_EVENTS_QUARANTINE = add(new TableSpec("bronze", "events_quarantine", schema(
            col("topic", DataTypes.StringType, false),
            col("partition", DataTypes.IntegerType, false),
            col("offset", DataTypes.LongType, false),
            col("kafka_timestamp", DataTypes.TimestampType, true),
            col("raw_value", DataTypes.StringType, true),
            col("reason", DataTypes.StringType, false),
            col(INGESTED_AT, DataTypes.TimestampType, false)),
            List.of("topic", "partition", "offset"), "one row per Kafka message that could not be used, with why",
            List.of(), Map.of(), "malformed JSON, unknown event types, missing or invalid fields: kept raw, never "
                    + "stopping the stream"));

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
            Map.of("known_status", AcceptedValues.in("status", AcceptedValues.RUN_STATUSES)), "the audit of every batch job run"));

    public static final TableSpec OPS_MODEL_INPUTS = add(new TableSpec("ops", "model_inputs", schema(
            col("layer", DataTypes.StringType, false),
            col("input_table", DataTypes.StringType, false),
            col("input_version", DataTypes.LongType, false),
            col("run_id", DataTypes.StringType, false),
            col("recorded_at", DataTypes.TimestampType, false)),
            List.of("layer", "input_table"), "one row per (layer, table it reads)", List.of(),
            Map.of("known_layer", AcceptedValues.in("layer", AcceptedValues.READING_LAYERS)),
            "the Delta version of each input table a layer's last successful run read through: the next run "
                    + "reads only the commits after it, and skips a table whose inputs did not move"));

    public static final TableSpec OPS_STREAM_PROGRESS = add(new TableSpec("ops", "stream_progress", schema(
            col("query", DataTypes.StringType, false),
            col("query_id", DataTypes.StringType, false),
            col("batch_id", DataTypes.LongType, false),
            col("batch_started_at", DataTypes.TimestampType, false),
            col("input_rows", DataTypes.LongType, false),
            col("rows_written", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true),
            col("duration_ms", DataTypes.LongType, false),
            col("input_rows_per_second", DataTypes.DoubleType, true),
            col("processed_rows_per_second", DataTypes.DoubleType, true),
            col("max_latency_ms", DataTypes.LongType, true),
            col("watermark", DataTypes.TimestampType, true),
            col("late_rows_dropped", DataTypes.LongType, true)),
            List.of("query_id", "batch_id"), "one row per micro-batch of a streaming query", List.of(), Map.of(),
            "streaming progress: input rows, rows written per table, batch duration, latency (gold commit "
                    + "time minus the batch's oldest Kafka timestamp, which the simulator sets to the event time); "
                    + "late_rows_dropped is 0 since the live minutes count every event (kept for older lakes)"));

    public static final TableSpec OPS_WAITING_FACTS = add(new TableSpec("ops", "waiting_facts", schema(
            col("run_id", DataTypes.StringType, false),
            col("table_name", DataTypes.StringType, false),
            col("waiting", DataTypes.LongType, false),
            col("oldest_event_time", DataTypes.TimestampType, true),
            col("checked_at", DataTypes.TimestampType, false)),
            List.of("run_id", "table_name"), "one row per fact table per batch run", List.of(),
            Map.of("waiting_not_negative", "waiting >= 0"),
            "facts that still wait for their dimension (a key of -1, the unknown member) and the event time of the "
                    + "oldest: counted after every batch; waiting longer than spark.lakehouse.ops.waiting-alarm-after "
                    + "raises an alarm"));

    public static final TableSpec OPS_ALARMS = add(new TableSpec("ops", "alarms", schema(
            col("kind", DataTypes.StringType, false),
            col("subject", DataTypes.StringType, false),
            col("detail", DataTypes.StringType, false),
            col("detected_at", DataTypes.TimestampType, false),
            col("run_id", DataTypes.StringType, false)),
            List.of("kind", "subject"), "one row per problem found (raised once)", List.of(), Map.of(),
            "things a person must look at, e.g. a daily report that was deleted before it was landed"));

    public static final TableSpec OPS_DATA_TESTS = add(new TableSpec("ops", "data_tests", schema(
            col("run_id", DataTypes.StringType, false),
            col("table_name", DataTypes.StringType, false),
            col("test", DataTypes.StringType, false),
            col("column_name", DataTypes.StringType, false),
            col("failures", DataTypes.LongType, false),
            col("example", DataTypes.StringType, true),
            col("checked_at", DataTypes.TimestampType, false)),
            List.of("run_id", "table_name", "test", "column_name"), "one row per data test per run that ran it",
            List.of(), Map.of("failures_not_negative", "failures >= 0",
                    "known_test", AcceptedValues.in("test", AcceptedValues.DATA_TESTS)),
            "dbt-style tests derived from these specs (unique keys, not null keys, references between gold "
                    + "tables, accepted values): run on the tables a batch wrote, or all by 'lakehouse test'; "
                    + "failures > 0 is a failed test, example one offending value"));

    /**
     * The key of the unknown member: a fact whose dimension version has not reached gold yet carries
     * it (and waits, ops.waiting_facts) until a later run finds its version.
     */
    public static final long UNKNOWN_KEY = -1L;

    /** A column naming a row of another table by that table's key: every value must be there. */
    public record Reference(TableSpec table, String column, TableSpec to, String toColumn, boolean unknownAllowed) {
    }

    /** The star's references, tested after each batch: facts and dimensions to the dimensions they name. */
    public static final List<Reference> REFERENCES = List.of(
            new Reference(GOLD_DIM_PRODUCT, "category_key", GOLD_DIM_CATEGORY, "category_key", true),
            new Reference(GOLD_DIM_CART, "customer_key", GOLD_DIM_CUSTOMER, "customer_key", true),
            new Reference(GOLD_DIM_CART, "created_date_key", GOLD_DIM_DATE, "date_key", false),
            new Reference(GOLD_FACT_SALES, "customer_key", GOLD_DIM_CUSTOMER, "customer_key", true),
            new Reference(GOLD_FACT_SALES, "order_date_key", GOLD_DIM_DATE, "date_key", false),
            new Reference(GOLD_FACT_ORDER_DETAILS, "product_key", GOLD_DIM_PRODUCT, "product_key", true),
            new Reference(GOLD_FACT_ORDER_DETAILS, "category_key", GOLD_DIM_CATEGORY, "category_key", true),
            new Reference(GOLD_FACT_ORDER_DETAILS, "sale_id", GOLD_FACT_SALES, "sale_id", false),
            new Reference(GOLD_FACT_ORDER_DETAILS, "order_date_key", GOLD_DIM_DATE, "date_key", false),
            new Reference(GOLD_FACT_PAYMENTS, "customer_key", GOLD_DIM_CUSTOMER, "customer_key", true),
            new Reference(GOLD_FACT_PAYMENTS, "payment_date_key", GOLD_DIM_DATE, "date_key", false),
            new Reference(GOLD_FACT_SUPPORT_TICKET, "customer_key", GOLD_DIM_CUSTOMER, "customer_key", true),
            new Reference(GOLD_FACT_SUPPORT_TICKET, "created_date_key", GOLD_DIM_DATE, "date_key", false),
            new Reference(GOLD_FACT_SUPPORT_TICKET, "resolved_date_key", GOLD_DIM_DATE, "date_key", false),
            new Reference(GOLD_FACT_SUPPORT_TICKET, "closed_date_key", GOLD_DIM_DATE, "date_key", false));

    /** A column whose values come from a closed list (where no CHECK constraint holds it already). */
    public record Accepted(TableSpec table, String column, List<String> values) {
    }

    /** Silver's closed lists: silver follows its source's columns, so these are tests, not constraints. */
    public static final List<Accepted> ACCEPTED = List.of(
            new Accepted(SILVER_POSTGRES.get("sales"), "order_status", AcceptedValues.ORDER_STATUSES),
            new Accepted(SILVER_POSTGRES.get("payments"), "payment_status", AcceptedValues.PAYMENT_STATUSES));

    private LakeTables() {
    }

    /** Where raw files from a source are kept, byte for byte, before bronze parses them. */
    public static String landingPath(String lakeRoot, String source) {
        return TableSpec.stripSlash(lakeRoot) + "/landing/" + source;
    }

    /**
     * Whether the table keeps Delta's change data feed: bronze and silver, which the next layer reads
     * by their feeds, and the stock facts, whose feed gold.stock_current follows. Tables created by
     * their first append (those that follow their source) take the session's default, which is on.
     */
    public static boolean keepsChangeFeed(TableSpec spec) {
        return spec.layer().equals("bronze") || spec.layer().equals("silver") || spec == GOLD_FACT_PRODUCT_STOCK
                || spec == GOLD_LIVE_TRAFFIC_INCREMENTS;
    }

    public static List<TableSpec> all() {
        return Collections.unmodifiableList(ALL);
    }

    private static TableSpec gold(String name, StructType schema, List<String> keys, String grain,
                                  List<String> partitionBy, Map<String, String> checks, String description) {
        return new TableSpec("gold", name, schema, keys, grain, partitionBy, checks, description);
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
