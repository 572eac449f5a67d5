package dev.shoplake.ops;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Compares gold with the source database, per day: orders, completed revenue, order lines, and
 * payments by status; and in total: customers and products. Both sides are aggregated where the
 * data lives (PostgreSQL, Spark); only one row per day and metric meets on the driver.
 */
public final class Reconciliation {
    public record Difference(String day, String metric, String source, String gold) {
        @Override
        public String toString() {
            return day + " " + metric + ": source " + source + ", gold " + gold;
        }
    }

    private Reconciliation() {
    }

    public static List<Difference> compare(SparkSession spark, DeltaWriter writer, LakehouseConfig.Postgres pg)
            throws SQLException {
        Map<String, String> source = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(pg.url(), pg.user(), pg.requirePassword());
             Statement st = c.createStatement()) {
            st.execute("SET TIME ZONE 'UTC'");
            collect(st, source, """
                    SELECT to_char(order_date, 'YYYYMMDD'), count(*),
                           coalesce(sum(total_amount) FILTER (WHERE order_status = 'Completed'), 0)
                    FROM sales GROUP BY 1""", "orders", "completed_revenue");
            collect(st, source, """
                    SELECT to_char(s.order_date, 'YYYYMMDD'), count(*) FROM order_details d JOIN sales s ON s.id = d.order_id
                    GROUP BY 1""", "order_lines");
            collect(st, source, """
                    SELECT to_char(payment_date, 'YYYYMMDD'), count(*) FILTER (WHERE payment_status = 'Paid'),
                           count(*) FILTER (WHERE payment_status = 'Failed')
                    FROM payments GROUP BY 1""", "payments_paid", "payments_failed");
            collect(st, source, "SELECT 'total', count(*) FROM customers", "customers");
            collect(st, source, "SELECT 'total', count(*) FROM products", "products");
        }
        Map<String, String> gold = new TreeMap<>();
        writer.read(LakeTables.GOLD_FACT_SALES).where("NOT is_deleted").createOrReplaceTempView("recon_sales");
        writer.read(LakeTables.GOLD_FACT_ORDER_DETAILS).where("NOT is_deleted").createOrReplaceTempView("recon_lines");
        writer.read(LakeTables.GOLD_FACT_PAYMENTS).where("NOT is_deleted").createOrReplaceTempView("recon_payments");
        writer.read(LakeTables.GOLD_DIM_CUSTOMER).where("is_current").createOrReplaceTempView("recon_customers");
        writer.read(LakeTables.GOLD_DIM_PRODUCT).where("is_current").createOrReplaceTempView("recon_products");
        collect(spark, gold, """
                SELECT CAST(order_date_key AS STRING), count(*),
                       coalesce(sum(CASE WHEN order_status = 'Completed' THEN total_amount END), 0)
                FROM recon_sales GROUP BY 1""", "orders", "completed_revenue");
        collect(spark, gold, "SELECT CAST(order_date_key AS STRING), count(*) FROM recon_lines GROUP BY 1", "order_lines");
        collect(spark, gold, """
                SELECT CAST(payment_date_key AS STRING), count_if(payment_status = 'Paid'),
                       count_if(payment_status = 'Failed')
                FROM recon_payments GROUP BY 1""", "payments_paid", "payments_failed");
        collect(spark, gold, "SELECT 'total', count(*) FROM recon_customers", "customers");
        collect(spark, gold, "SELECT 'total', count(*) FROM recon_products", "products");

        TreeSet<String> keys = new TreeSet<>(source.keySet());
        keys.addAll(gold.keySet());
        List<Difference> differences = new ArrayList<>();
        for (String key : keys) {
            String s = source.getOrDefault(key, "0");
            String g = gold.getOrDefault(key, "0");
            if (!Objects.equals(normalize(s), normalize(g))) {
                int space = key.indexOf(' ');
                differences.add(new Difference(key.substring(0, space), key.substring(space + 1), s, g));
            }
        }
        return differences;
    }

    private static String normalize(String number) {
        return new BigDecimal(number).stripTrailingZeros().toPlainString();
    }

    private static void collect(Statement st, Map<String, String> into, String sql, String... metrics)
            throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                for (int i = 0; i < metrics.length; i++) {
                    into.put(rs.getString(1) + " " + metrics[i], rs.getBigDecimal(i + 2).toPlainString());
                }
            }
        }
    }

    private static void collect(SparkSession spark, Map<String, String> into, String sql, String... metrics) {
        // one row per day: small by construction
        for (Row r : spark.sql(sql).collectAsList()) {
            for (int i = 0; i < metrics.length; i++) {
                into.put(r.get(0) + " " + metrics[i], String.valueOf(r.get(i + 1)));
            }
        }
    }
}
