package dev.shoplake.gold;

import static dev.shoplake.gold.GoldModel.dateKey;
import static dev.shoplake.gold.GoldModel.naturalKey;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.to_date;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.InputVersions;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the gold star schema from silver (current rows) and bronze (every landed version, for
 * history), incrementally.
 *
 * <p>A run reads only the silver commits since the previous run ({@link InputVersions}), plus the
 * rows that depend on them (an order's lines when the order changes) and the facts still waiting
 * for a late dimension row (key {@link GoldModel#UNKNOWN_KEY}). Dimensions load first; facts then
 * take their keys from gold's dimensions, the version valid at the fact's own time. Facts are
 * partitioned by their date key and MERGEd with a predicate on the date keys of the batch, so a
 * daily run rewrites only the days it changed. A row's date never changes (orders, payments,
 * carts and tickets keep their creation time), which is what makes that predicate safe.
 *
 * <p>Every date key comes from the row's own time, never the run's clock. Upserts touch changed
 * rows only: a re-run changes nothing, and a full refresh gives the same tables.
 */
public final class GoldJob {
    static final List<String> CUSTOMER_ATTRIBUTES = List.of("first_name", "last_name", "email", "phone", "date_of_birth");
    static final List<String> PRODUCT_ATTRIBUTES = List.of("name", "description", "price", "category_id", "image_url");

    private final SparkSession spark;
    private final DeltaWriter writer;
    private final int parallelTables;
    private final boolean fullRefresh;
    private InputVersions inputs;

    public GoldJob(SparkSession spark, DeltaWriter writer, int parallelTables) {
        this(spark, writer, parallelTables, false);
    }

    /** @param fullRefresh recompute every row from silver, ignoring how far the last run read */
    public GoldJob(SparkSession spark, DeltaWriter writer, int parallelTables, boolean fullRefresh) {
        this.spark = spark;
        this.writer = writer;
        this.parallelTables = parallelTables;
        this.fullRefresh = fullRefresh;
    }

    public void run(JobRun run) {
        if (!writer.exists(LakeTables.SILVER_POSTGRES.get("sales"))) {
            run.add(new JobRun.TableResult("gold.*", "ok", 0, 0, 0, 0, "no silver yet"));
            return;
        }
        List<TableSpec> sources = new ArrayList<>(LakeTables.SILVER_POSTGRES.values());
        sources.add(LakeTables.SILVER_SUPPORT_TICKETS);
        // a gold table missing (the first run, a table deleted to rebuild it, the first report) is
        // built from all of silver: the whole run reads as --full-refresh does
        List<TableSpec> built = new ArrayList<>(BATCH_TABLES);
        if (writer.exists(LakeTables.SILVER_SUPPORT_TICKETS)) {
            built.add(LakeTables.GOLD_FACT_SUPPORT_TICKET);
        }
        boolean rebuild = fullRefresh || built.stream().anyMatch(t -> !writer.exists(t));
        inputs = InputVersions.load(spark, writer, "gold", sources, rebuild);
        boolean tickets = inputs.exists(LakeTables.SILVER_SUPPORT_TICKETS);

        // 1. dimensions the facts look up
        TableTasks.run(parallelTables, List.of(
                () -> model(run, LakeTables.GOLD_DIM_CUSTOMER, () -> dimCustomer(), null, silver("customers")),
                () -> model(run, LakeTables.GOLD_DIM_PRODUCT, () -> dimProduct(), null, silver("products")),
                () -> model(run, LakeTables.GOLD_DIM_CATEGORY, () -> dimCategory(), null, silver("categories"))));

        // 2. facts, keyed through gold's dimensions (a fact waiting for its dimension is retried when it moves)
        List<Runnable> facts = new ArrayList<>(List.of(
                () -> model(run, LakeTables.GOLD_FACT_SALES, () -> factSales(), "order_date_key",
                        silver("sales"), silver("customers")),
                () -> model(run, LakeTables.GOLD_FACT_ORDER_DETAILS, () -> factOrderDetails(), "order_date_key",
                        silver("order_details"), silver("sales"), silver("products")),
                () -> model(run, LakeTables.GOLD_FACT_PAYMENTS, () -> factPayments(), "payment_date_key",
                        silver("payments"), silver("sales"), silver("customers")),
                () -> model(run, LakeTables.GOLD_DIM_CART, () -> dimCart(), "created_date_key",
                        silver("shopping_carts"), silver("sales"), silver("customers"))));
        if (tickets) {
            facts.add(() -> model(run, LakeTables.GOLD_FACT_SUPPORT_TICKET, () -> factSupportTicket(), "created_date_key",
                    LakeTables.SILVER_SUPPORT_TICKETS, silver("customers")));
        }
        TableTasks.run(parallelTables, facts);

        // 3. the calendar: every day from the first to the last date the facts carry (it only grows)
        model(run, LakeTables.GOLD_DIM_DATE, () -> {
            Dataset<Row> dates = changed("sales").select(to_date(col("order_date")).as("d"))
                    .union(changed("payments").select(to_date(col("payment_date")).as("d")))
                    .union(changed("shopping_carts").select(to_date(col("created_at")).as("d")));
            if (tickets) {
                Dataset<Row> changedTickets = inputs.changed(LakeTables.SILVER_SUPPORT_TICKETS);
                dates = dates.union(changedTickets.select(col("date_created").as("d")))
                        .union(changedTickets.select(col("closed_on").as("d")))
                        .union(changedTickets.select(col("resolved_on").as("d")));
            }
            if (writer.exists(LakeTables.GOLD_DIM_DATE)) {
                dates = dates.union(gold(LakeTables.GOLD_DIM_DATE).select(col("full_date").as("d")));
            }
            return GoldModel.dimDate(dates.where(col("d").isNotNull()));
        }, null, silver("sales"), silver("payments"), silver("shopping_carts"), LakeTables.SILVER_SUPPORT_TICKETS);

        inputs.commit(run.runId());
    }

    /** The gold tables the batch always builds (the stream's facts are not among them). */
    private static final List<TableSpec> BATCH_TABLES = List.of(LakeTables.GOLD_DIM_CUSTOMER, LakeTables.GOLD_DIM_PRODUCT,
            LakeTables.GOLD_DIM_CATEGORY, LakeTables.GOLD_FACT_SALES, LakeTables.GOLD_FACT_ORDER_DETAILS,
            LakeTables.GOLD_FACT_PAYMENTS, LakeTables.GOLD_DIM_CART, LakeTables.GOLD_DIM_DATE);

    /** Builds and upserts one table, or skips it when none of its silver inputs has a commit gold has not read. */
    private void model(JobRun run, TableSpec spec, java.util.function.Supplier<Dataset<Row>> build, String dateKey,
                       TableSpec... inputsOfTable) {
        if (writer.exists(spec) && !inputs.moved(inputsOfTable)) {
            run.add(new JobRun.TableResult(spec.qualifiedName(), "ok", 0, 0, 0, 0, "inputs unchanged"));
            return;
        }
        upsert(run, spec, build.get(), dateKey);
    }

    /** silver.{table} rows changed since the last gold run. */
    private Dataset<Row> changed(String table) {
        return inputs.changed(silver(table));
    }

    private static TableSpec silver(String table) {
        return LakeTables.SILVER_POSTGRES.get(table);
    }

    private Dataset<Row> dimCustomer() {
        Dataset<Row> ids = changed("customers").select("id");
        return GoldModel.scd2(bronze("customers").join(ids, "id"), "customer", CUSTOMER_ATTRIBUTES, "customer_key");
    }

    private Dataset<Row> dimProduct() {
        Dataset<Row> ids = changed("products").select("id");
        return GoldModel.scd2(bronze("products").join(ids, "id"), "product", PRODUCT_ATTRIBUTES, "product_key")
                .withColumn("category_key", naturalKey("category", col("category_id")));
    }

    private Dataset<Row> dimCategory() {
        return changed("categories").select(naturalKey("category", col("id")).as("category_key"),
                col("id").as("category_id"), col("name"), col("description"), col("is_deleted"));
    }

    /** Orders landed since the last run, and orders still waiting for their customer. */
    private Dataset<Row> factSales() {
        Dataset<Row> ids = changed("sales").select(col("id").as("sale_id"))
                .union(waitingForDimension(LakeTables.GOLD_FACT_SALES, "sale_id", "customer_key"));
        Dataset<Row> sales = silverTable("sales").join(ids.distinct(), col("id").equalTo(col("sale_id")), "left_semi");
        return GoldModel.versionAt(sales.select(col("id").as("sale_id"), col("customer_id"),
                        col("order_date"), col("order_status").cast("string").as("order_status"), col("total_amount"),
                        col("payment_id"), col("cart_id"), col("shipping_address_id"), col("billing_address_id"),
                        col("is_deleted")),
                "customer_id", "order_date", gold(LakeTables.GOLD_DIM_CUSTOMER), "customer_id", "customer_key")
                .withColumn("order_date_key", dateKey(col("order_date")));
    }

    /** Lines landed since the last run, lines of orders that changed (they carry the order's status), waiting lines. */
    private Dataset<Row> factOrderDetails() {
        Dataset<Row> lines = silverTable("order_details");
        Dataset<Row> ids = changed("order_details").select(col("id").as("order_detail_id"))
                .union(lines.join(changed("sales").select(col("id").as("sale_id")),
                        lines.col("order_id").equalTo(col("sale_id")), "left_semi").select(col("id").as("order_detail_id")))
                .union(waitingForDimension(LakeTables.GOLD_FACT_ORDER_DETAILS, "order_detail_id", "product_key"));
        Dataset<Row> orderTimes = silverTable("sales").select(col("id").as("sale_id"), col("order_date"),
                col("order_status").cast("string").as("order_status"));
        Dataset<Row> changedLines = lines.join(ids.distinct(), col("id").equalTo(col("order_detail_id")), "left_semi")
                .select(col("id").as("order_detail_id"), col("order_id").as("sale_id"), col("product_id"),
                        col("quantity"), col("unit_price"), col("total_price"), col("is_deleted"))
                .join(orderTimes, "sale_id");
        Dataset<Row> dimProduct = gold(LakeTables.GOLD_DIM_PRODUCT);
        return GoldModel.versionAt(changedLines, "product_id", "order_date", dimProduct, "product_id", "product_key")
                .join(dimProduct.select("product_key", "category_key"), new String[] {"product_key"}, "left")
                .withColumn("order_date_key", dateKey(col("order_date")));
    }

    /** Payment attempts landed since the last run, attempts of orders that changed, waiting attempts. */
    private Dataset<Row> factPayments() {
        Dataset<Row> payments = silverTable("payments");
        Dataset<Row> ids = changed("payments").select(col("id").as("payment_id"))
                .union(payments.join(changed("sales").select(col("id").as("sale_id")),
                        payments.col("order_id").equalTo(col("sale_id")), "left_semi").select(col("id").as("payment_id")))
                .union(waitingForDimension(LakeTables.GOLD_FACT_PAYMENTS, "payment_id", "customer_key"));
        Dataset<Row> changed = payments.join(ids.distinct(), col("id").equalTo(col("payment_id")), "left_semi")
                .select(col("id").as("payment_id"), col("order_id").as("sale_id"), col("payment_date"),
                        col("payment_method").cast("string").as("payment_method"),
                        col("payment_status").cast("string").as("payment_status"), col("transaction_id"), col("is_deleted"))
                .join(silverTable("sales").select(col("id").as("sale_id"), col("customer_id"), col("total_amount").as("amount")),
                        "sale_id");
        return GoldModel.versionAt(changed, "customer_id", "payment_date", gold(LakeTables.GOLD_DIM_CUSTOMER),
                        "customer_id", "customer_key")
                .withColumn("payment_date_key", dateKey(col("payment_date")));
    }

    /** Carts landed since the last run, carts whose sale changed, waiting carts; with the completed sale each became. */
    private Dataset<Row> dimCart() {
        Dataset<Row> ids = changed("shopping_carts").select(col("id").as("cart_id"))
                .union(changed("sales").where(col("cart_id").isNotNull()).select("cart_id"))
                .union(waitingForDimension(LakeTables.GOLD_DIM_CART, "cart_id", "customer_key"));
        Dataset<Row> carts = silverTable("shopping_carts").join(ids.distinct(), col("id").equalTo(col("cart_id")), "left_semi")
                .select(col("id").as("cart_id"), col("customer_id"), col("created_at"), col("is_deleted"),
                        col("deleted_at"));
        Dataset<Row> completedSaleOfCart = silverTable("sales").where(col("order_status").cast("string").equalTo("Completed"))
                .where(col("cart_id").isNotNull())
                .join(carts.select("cart_id"), "cart_id")
                .groupBy("cart_id").agg(max("id").as("sale_id"));
        return GoldModel.versionAt(carts, "customer_id", "created_at", gold(LakeTables.GOLD_DIM_CUSTOMER), "customer_id",
                        "customer_key")
                .join(completedSaleOfCart, new String[] {"cart_id"}, "left")
                .withColumn("created_date_key", dateKey(col("created_at")));
    }

    /**
     * Tickets whose lifecycle changed since the last run. They name their customer by email: the
     * customer with that email, in the version valid on the creation day.
     */
    private Dataset<Row> factSupportTicket() {
        Dataset<Row> all = inputs.all(LakeTables.SILVER_SUPPORT_TICKETS);
        Dataset<Row> ids = inputs.changed(LakeTables.SILVER_SUPPORT_TICKETS).select("ticket_id")
                .union(waitingForDimension(LakeTables.GOLD_FACT_SUPPORT_TICKET, "ticket_id", "customer_key"));
        Dataset<Row> tickets = all.join(ids.distinct(), "ticket_id");
        Dataset<Row> byEmail = silverTable("customers").select(col("id").as("customer_id"), col("email").as("_email"));
        Dataset<Row> withCustomer = tickets.join(byEmail, tickets.col("email").equalTo(byEmail.col("_email")), "left")
                .drop("_email")
                .withColumn("_created_ts", col("date_created").cast("timestamp"));
        return GoldModel.versionAt(withCustomer, "customer_id", "_created_ts", gold(LakeTables.GOLD_DIM_CUSTOMER),
                        "customer_id", "customer_key")
                .drop("_created_ts", "customer_name", "email", "phone", LakeTables.INGESTED_AT)
                .withColumn("created_date_key", dateKey(col("date_created")))
                .withColumn("resolved_date_key", dateKey(col("resolved_on")))
                .withColumn("closed_date_key", dateKey(col("closed_on")))
                .withColumn("days_to_resolve", datediff(col("resolved_on"), col("date_created")))
                .withColumn("is_resolved", col("status").equalTo(lit("Resolved")));
    }

    /**
     * Keys of rows already in gold whose dimension had not arrived, tried again when that dimension
     * moved (otherwise nothing can have arrived for them, and the table is not scanned).
     */
    private Dataset<Row> waitingForDimension(TableSpec spec, String idColumn, String keyColumn) {
        TableSpec dimension = silver(keyColumn.equals("product_key") ? "products" : "customers");
        if (!writer.exists(spec) || !inputs.moved(dimension)) {
            return spark.emptyDataFrame().select(lit(null).cast(idColumn.equals("ticket_id") ? "string" : "int")
                    .as(idColumn));
        }
        return gold(spec).where(col(keyColumn).equalTo(GoldModel.UNKNOWN_KEY)).select(idColumn);
    }

    /**
     * MERGEs the batch into its table. With {@code dateKey}, the MERGE reads only the target's
     * partitions for the batch's days (a handful of ints, collected to build the predicate).
     */
    private void upsert(JobRun run, TableSpec spec, Dataset<Row> rows, String dateKey) {
        long started = System.currentTimeMillis();
        Dataset<Row> batch = rows.cache();
        try {
            long read = batch.count();
            long written = 0;
            String pruning = "true";
            if (dateKey != null && read > 0 && writer.exists(spec)) {
                List<Row> days = batch.select(dateKey).distinct().collectAsList();
                pruning = "{t}." + dateKey + " IN (" + days.stream().map(r -> String.valueOf(r.get(0)))
                        .collect(Collectors.joining(", ")) + ")";
            }
            if (read > 0 || !writer.exists(spec)) {
                written = writer.upsert(spec, batch, pruning);
            }
            run.add(new JobRun.TableResult(spec.qualifiedName(), "ok", read, written, 0,
                    System.currentTimeMillis() - started, null));
        } finally {
            batch.unpersist();
        }
    }

    private Dataset<Row> gold(TableSpec spec) {
        return writer.read(spec);
    }

    private Dataset<Row> bronze(String table) {
        return writer.read(LakeTables.BRONZE_POSTGRES.get(table));
    }

    private Dataset<Row> silverTable(String table) {
        return inputs.all(silver(table));
    }
}
