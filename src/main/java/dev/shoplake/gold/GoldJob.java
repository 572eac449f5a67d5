package dev.shoplake.gold;

import static dev.shoplake.gold.GoldModel.dateKey;
import static dev.shoplake.gold.GoldModel.naturalKey;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.to_date;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableTasks;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the gold star schema from silver (current rows) and bronze (every landed version, for
 * history). Every date key comes from the row's own time: order, payment, ticket or cart dates,
 * never the run's clock. Each table is upserted by key, so a re-run changes nothing.
 */
public final class GoldJob {
    static final List<String> CUSTOMER_ATTRIBUTES = List.of("first_name", "last_name", "email", "phone", "date_of_birth");
    static final List<String> PRODUCT_ATTRIBUTES = List.of("name", "description", "price", "category_id", "image_url");

    private final SparkSession spark;
    private final DeltaWriter writer;
    private final int parallelTables;

    public GoldJob(SparkSession spark, DeltaWriter writer, int parallelTables) {
        this.spark = spark;
        this.writer = writer;
        this.parallelTables = parallelTables;
    }

    public void run(JobRun run) {
        if (!writer.exists(LakeTables.SILVER_POSTGRES.get("sales"))) {
            run.add(new JobRun.TableResult("gold.*", "ok", 0, 0, 0, 0, "no silver yet"));
            return;
        }
        Dataset<Row> dimCustomer = GoldModel.scd2(bronze("customers"), "customer", CUSTOMER_ATTRIBUTES, "customer_key")
                .cache();
        Dataset<Row> dimProduct = GoldModel.scd2(bronze("products"), "product", PRODUCT_ATTRIBUTES, "product_key")
                .withColumn("category_key", naturalKey("category", col("category_id")))
                .cache();
        Dataset<Row> sales = silver("sales");

        Dataset<Row> dimCategory = silver("categories").select(naturalKey("category", col("id")).as("category_key"),
                col("id").as("category_id"), col("name"), col("description"), col("is_deleted"));

        Dataset<Row> factSales = GoldModel.versionAt(sales.select(col("id").as("sale_id"), col("customer_id"),
                        col("order_date"), col("order_status").cast("string").as("order_status"), col("total_amount"),
                        col("payment_id"), col("cart_id"), col("shipping_address_id"), col("billing_address_id"),
                        col("is_deleted")),
                "customer_id", "order_date", dimCustomer, "customer_id", "customer_key")
                .withColumn("order_date_key", dateKey(col("order_date")));

        Dataset<Row> orderTimes = sales.select(col("id").as("sale_id"), col("order_date"),
                col("order_status").cast("string").as("order_status"));
        Dataset<Row> lines = silver("order_details").select(col("id").as("order_detail_id"), col("order_id").as("sale_id"),
                col("product_id"), col("quantity"), col("unit_price"), col("total_price"), col("is_deleted"))
                .join(orderTimes, "sale_id");
        Dataset<Row> factOrderDetails = GoldModel.versionAt(lines, "product_id", "order_date", dimProduct, "product_id",
                        "product_key")
                .join(dimProduct.select("product_key", "category_key"), new String[] {"product_key"}, "left")
                .withColumn("order_date_key", dateKey(col("order_date")));

        Dataset<Row> payments = silver("payments").select(col("id").as("payment_id"), col("order_id").as("sale_id"),
                        col("payment_date"), col("payment_method").cast("string").as("payment_method"),
                        col("payment_status").cast("string").as("payment_status"), col("transaction_id"), col("is_deleted"))
                .join(sales.select(col("id").as("sale_id"), col("customer_id"), col("total_amount").as("amount")), "sale_id");
        Dataset<Row> factPayments = GoldModel.versionAt(payments, "customer_id", "payment_date", dimCustomer,
                        "customer_id", "customer_key")
                .withColumn("payment_date_key", dateKey(col("payment_date")));

        Dataset<Row> completedSaleOfCart = sales.where(col("order_status").cast("string").equalTo("Completed"))
                .where(col("cart_id").isNotNull())
                .groupBy("cart_id").agg(max("id").as("sale_id"));
        Dataset<Row> carts = silver("shopping_carts").select(col("id").as("cart_id"), col("customer_id"),
                col("created_at"), col("is_deleted"), col("deleted_at"));
        Dataset<Row> dimCart = GoldModel.versionAt(carts, "customer_id", "created_at", dimCustomer, "customer_id",
                        "customer_key")
                .join(completedSaleOfCart, new String[] {"cart_id"}, "left")
                .withColumn("created_date_key", dateKey(col("created_at")));

        Dataset<Row> factTickets = tickets(dimCustomer);

        Dataset<Row> allDates = factSales.select(to_date(col("order_date")).as("d"))
                .union(factPayments.select(to_date(col("payment_date")).as("d")))
                .union(dimCart.select(to_date(col("created_at")).as("d")));
        if (factTickets != null) {
            allDates = allDates.union(factTickets.select(col("date_created").as("d")))
                    .union(factTickets.select(col("closed_on").as("d")).where(col("d").isNotNull()))
                    .union(factTickets.select(col("resolved_on").as("d")).where(col("d").isNotNull()));
        }

        Dataset<Row> dates = allDates;
        List<Runnable> tasks = new java.util.ArrayList<>(List.of(
                () -> upsert(run, LakeTables.GOLD_DIM_DATE, GoldModel.dimDate(dates)),
                () -> upsert(run, LakeTables.GOLD_DIM_CATEGORY, dimCategory),
                () -> upsert(run, LakeTables.GOLD_DIM_CUSTOMER, dimCustomer),
                () -> upsert(run, LakeTables.GOLD_DIM_PRODUCT, dimProduct),
                () -> upsert(run, LakeTables.GOLD_DIM_CART, dimCart),
                () -> upsert(run, LakeTables.GOLD_FACT_SALES, factSales),
                () -> upsert(run, LakeTables.GOLD_FACT_ORDER_DETAILS, factOrderDetails),
                () -> upsert(run, LakeTables.GOLD_FACT_PAYMENTS, factPayments)));
        if (factTickets != null) {
            tasks.add(() -> upsert(run, LakeTables.GOLD_FACT_SUPPORT_TICKET, factTickets));
        }
        try {
            TableTasks.run(parallelTables, tasks);
        } finally {
            dimCustomer.unpersist();
            dimProduct.unpersist();
        }
    }

    /** Tickets name their customer by email: the customer with that email, in the version valid on the creation day. */
    private Dataset<Row> tickets(Dataset<Row> dimCustomer) {
        if (!writer.exists(LakeTables.SILVER_SUPPORT_TICKETS)) {
            return null;
        }
        Dataset<Row> byEmail = silver("customers").select(col("id").as("customer_id"), col("email").as("_email"));
        Dataset<Row> tickets = writer.read(LakeTables.SILVER_SUPPORT_TICKETS);
        Dataset<Row> withCustomer = tickets.join(byEmail, tickets.col("email").equalTo(byEmail.col("_email")), "left")
                .drop("_email")
                .withColumn("_created_ts", col("date_created").cast("timestamp"));
        return GoldModel.versionAt(withCustomer, "customer_id", "_created_ts", dimCustomer, "customer_id", "customer_key")
                .drop("_created_ts", "customer_name", "email", "phone")
                .withColumn("created_date_key", dateKey(col("date_created")))
                .withColumn("resolved_date_key", dateKey(col("resolved_on")))
                .withColumn("closed_date_key", dateKey(col("closed_on")))
                .withColumn("days_to_resolve", org.apache.spark.sql.functions.datediff(col("resolved_on"),
                        col("date_created")))
                .withColumn("is_resolved", col("status").equalTo(lit("Resolved")));
    }

    private void upsert(JobRun run, TableSpec spec, Dataset<Row> rows) {
        long started = System.currentTimeMillis();
        writer.upsert(spec, rows, "true");
        long changed = writer.lastCommitChangedRows(spec);
        long total = writer.read(spec).count();
        run.add(new JobRun.TableResult(spec.qualifiedName(), "ok", total, changed, 0, System.currentTimeMillis() - started,
                "rows in table: " + total));
    }

    private Dataset<Row> bronze(String table) {
        return writer.read(LakeTables.BRONZE_POSTGRES.get(table));
    }

    private Dataset<Row> silver(String table) {
        return writer.read(LakeTables.SILVER_POSTGRES.get(table));
    }
}
