package dev.shoplake.cli;

import static dev.shoplake.cli.Lakehouse.say;

/** The lines a batch prints at the end: gold's row counts and a few business numbers, queried by name. */
final class GoldSummary {
    private GoldSummary() {
    }

    /** Gold row counts and a few business numbers, by table name, as anyone would query them. */
    static void print(org.apache.spark.sql.SparkSession spark) {
        say("gold rows:");
        for (var spec : dev.shoplake.lake.LakeTables.all()) {
            if (spec.layer().equals("gold") && spark.catalog().tableExists(spec.qualifiedName())) {
                say(String.format("  %-28s %,10d", spec.qualifiedName(), spark.table(spec.qualifiedName()).count()));
            }
        }
        var numbers = spark.sql("""
                SELECT count(*) AS orders,
                       count_if(order_status = 'Completed') AS completed,
                       coalesce(sum(CASE WHEN order_status = 'Completed' THEN total_amount END), 0) AS revenue,
                       round(100.0 * count_if(order_status = 'Canceled') / greatest(count(*), 1), 1) AS failed_pct
                FROM gold.fact_sales WHERE NOT is_deleted""").first();
        say(String.format("orders %,d, completed %,d, completed revenue %s, failed orders %s%%", numbers.getLong(0),
                numbers.getLong(1), numbers.get(2), numbers.get(3)));
        spark.sql("""
                SELECT p.name, sum(f.quantity) AS units
                FROM gold.fact_order_details f JOIN gold.dim_product p ON p.product_key = f.product_key
                WHERE f.order_status = 'Completed' GROUP BY p.name ORDER BY units DESC, p.name LIMIT 3""")
                .collectAsList().forEach(r -> say("  top product: " + r.getString(0) + " (" + r.get(1) + " units)"));
        if (spark.catalog().tableExists("gold.fact_support_ticket")) {
            spark.sql("SELECT status, count(*) FROM gold.fact_support_ticket GROUP BY status ORDER BY status")
                    .collectAsList().forEach(r -> say("  tickets " + r.getString(0) + ": " + r.getLong(1)));
        }
    }
}
