package dev.shoplake.query;

import dev.shoplake.testing.TestSpark;
import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.testing.Events;
import dev.shoplake.testing.SmallLake;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every dashboard question (queries/dashboard.sql) answered on gold equals the same question asked
 * of the sources: PostgreSQL for orders, products, customers, regions and stock; the support
 * desk's own tickets for the 7-day rule; the Kafka events for carts. Over the whole history and
 * over a few days inside it (the range filter).
 */
@Tag("integration")
@ResourceLock(TestSpark.SESSION) // the JVM's one session and catalog, pointed at one lake at a time
class DashboardQueriesIT {
    private static final SmallLake LAKE = SmallLake.get();
    private static final LocalDate FROM = SmallLake.FIRST_DAY;
    private static final LocalDate TO = SmallLake.lastDay();

    @Test
    void ordersSalesAndFailedRateEqualTheDatabase() throws SQLException {
        for (LocalDate[] range : ranges()) {
            Row gold = answer("orders_summary", range).get(0);
            List<Object> pg = pg("""
                    SELECT count(*) FILTER (WHERE order_status = 'Completed'),
                           coalesce(sum(total_amount) FILTER (WHERE order_status = 'Completed'), 0),
                           count(*) FILTER (WHERE order_status = 'Canceled'), count(*) FILTER (WHERE order_status = 'Pending')
                    FROM sales WHERE (order_date AT TIME ZONE 'UTC')::date BETWEEN ? AND ?""", range).get(0);
            assertEquals(List.of(pg.get(0), pg.get(1), pg.get(2), pg.get(3)),
                    List.of(gold.getLong(0), norm(gold.getDecimal(1)), gold.getLong(2), gold.getLong(3)));
            long completed = (Long) pg.get(0);
            long canceled = (Long) pg.get(2);
            assertTrue(completed + canceled > 0, "the range has decided orders");
            assertEquals(BigDecimal.valueOf(100.0 * canceled / (completed + canceled)).setScale(2,
                    java.math.RoundingMode.HALF_UP), gold.getDecimal(4).setScale(2), "failed = canceled / decided");
        }
    }

    @Test
    void topProductsSalesByDayCategoriesCustomersAndRegionsEqualTheDatabase() throws SQLException {
        for (LocalDate[] range : ranges()) {
            assertEquals(pg("""
                    SELECT d.product_id, sum(d.quantity)::bigint FROM order_details d JOIN sales s ON s.id = d.order_id
                    WHERE s.order_status = 'Completed' AND (s.order_date AT TIME ZONE 'UTC')::date BETWEEN ? AND ?
                    GROUP BY d.product_id ORDER BY 2 DESC, 1 LIMIT 10""", range),
                    rows(answer("top_products", range), "product_id", "units"), "top 10 products");
            assertEquals(pg("""
                    SELECT g.day, count(s.id), count(s.id) FILTER (WHERE s.order_status = 'Completed'),
                           coalesce(sum(s.total_amount) FILTER (WHERE s.order_status = 'Completed'), 0)
                    FROM generate_series(?::date, ?::date, interval '1 day') AS g(day)
                    LEFT JOIN sales s ON (s.order_date AT TIME ZONE 'UTC')::date = g.day::date
                    GROUP BY g.day ORDER BY g.day""", range).stream().map(r -> List.<Object>of(
                            ((java.sql.Timestamp) r.get(0)).toLocalDateTime().toLocalDate().toString(), r.get(1), r.get(2),
                            r.get(3))).toList(),
                    answer("sales_by_day", range).stream().map(r -> List.<Object>of(r.getDate(0).toString(), r.getLong(1),
                            r.getLong(2), norm(r.getDecimal(3)))).toList(), "sales by day, quiet days included");
            assertEquals(pg("""
                    SELECT c.name, sum(d.quantity)::bigint, sum(d.total_price) FROM order_details d
                    JOIN sales s ON s.id = d.order_id JOIN products p ON p.id = d.product_id JOIN categories c ON c.id = p.category_id
                    WHERE s.order_status = 'Completed' AND (s.order_date AT TIME ZONE 'UTC')::date BETWEEN ? AND ?
                    GROUP BY c.name ORDER BY 3 DESC, 1""", range),
                    rows(answer("best_categories", range), "category", "units", "sales"), "best categories");
            assertEquals(pg("""
                    SELECT customer_id, count(*), sum(total_amount) FROM sales
                    WHERE order_status = 'Completed' AND (order_date AT TIME ZONE 'UTC')::date BETWEEN ? AND ?
                    GROUP BY customer_id ORDER BY 2 DESC, 3 DESC, 1 LIMIT 10""", range),
                    rows(answer("most_active_customers", range), "customer_id", "successful_orders", "spent"),
                    "most active customers");
            assertEquals(pg("""
                    SELECT a.country, a.state, count(*), sum(s.total_amount) FROM sales s JOIN addresses a ON a.id = s.shipping_address_id
                    WHERE s.order_status = 'Completed' AND (s.order_date AT TIME ZONE 'UTC')::date BETWEEN ? AND ?
                    GROUP BY a.country, a.state ORDER BY 4 DESC, 1, 2 LIMIT 20""", range),
                    rows(answer("customer_regions", range), "country", "state", "successful_orders", "sales"),
                    "customer regions");
        }
    }

    @Test
    void supportRatesFollowTheDesksOwnTicketsUnderTheSevenDayRule() throws SQLException {
        for (LocalDate[] range : ranges()) {
            // as of the last report: resolved within 7 days of creation, else closed once day 7 is reached
            List<Object> desk = pg("""
                    SELECT count(*),
                           count(*) FILTER (WHERE resolution_date <= date_created + 7),
                           count(*) FILTER (WHERE (resolution_date IS NULL OR resolution_date > date_created + 7)
                                              AND date_created + 7 <= ?::date)
                    FROM simulator.support_tickets WHERE date_created BETWEEN ? AND ?""",
                    new Object[] {TO, range[0], range[1]}).get(0);
            Row gold = answer("support_rates", range).get(0);
            assertEquals(desk, List.of(gold.getLong(0), gold.getLong(1), gold.getLong(2)),
                    "tickets, resolved in time, closed in " + range[0] + ".." + range[1]);
            assertTrue((Long) desk.get(0) > 0, "the range has tickets");
        }
    }

    @Test
    void stockAlertsEqualTheDatabaseAndCartsEqualTheStream() throws SQLException {
        SparkSession spark = LAKE.spark();
        assertEquals(pg("SELECT id, stock_quantity FROM products WHERE stock_quantity < 20 ORDER BY 2, 1",
                        new Object[0]),
                rows(answer("stock_alerts", ranges().get(0)), "product_id", "stock_level"), "stock alerts");

        List<Events.Event> events = Events.readAll(LAKE.config().kafka());
        for (LocalDate[] range : ranges()) {
            Map<Integer, Long> added = new HashMap<>();
            Set<Long> opened = new java.util.HashSet<>();
            Set<Long> checkedOut = new java.util.HashSet<>();
            for (Events.Event e : events) {
                LocalDate day = LocalDate.parse(e.body().path("timestamp").asText().substring(0, 10));
                boolean inRange = !day.isBefore(range[0]) && !day.isAfter(range[1]);
                switch (e.type()) {
                    case "ADD_TO_CART" -> {
                        if (inRange) {
                            added.merge((int) e.longField("product_id"), e.longField("quantity"), Long::sum);
                        }
                    }
                    case "CREATE_CART" -> {
                        if (inRange) {
                            opened.add(e.longField("cart_id"));
                        }
                    }
                    case "CHECKOUT" -> {
                        if (!day.isBefore(range[0])) {
                            checkedOut.add(e.longField("cart_id"));
                        }
                    }
                    default -> { }
                }
            }
            List<List<Object>> trending = added.entrySet().stream()
                    .sorted(Map.Entry.<Integer, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(10).map(en -> List.<Object>of(en.getKey(), en.getValue())).toList();
            assertEquals(trending, rows(answer("trending_products", range), "product_id", "units_added"), "trending");
            Row conversion = answer("cart_conversion", range).get(0);
            long converted = opened.stream().filter(checkedOut::contains).count();
            assertEquals(List.of((long) opened.size(), converted), List.of(conversion.getLong(0), conversion.getLong(1)),
                    "carts opened and checked out");
        }
        assertTrue(spark.table("gold.fact_cart_activity").count() > 0);
    }

    private static List<LocalDate[]> ranges() {
        return List.of(new LocalDate[] {FROM, TO}, new LocalDate[] {FROM.plusDays(3), FROM.plusDays(7)});
    }

    private static List<Row> answer(String name, LocalDate[] range) {
        NamedQueries.Query q = NamedQueries.dashboard().get(name);
        Map<String, Object> params = new HashMap<>(Map.of("date_from", range[0].toString(), "date_to",
                range[1].toString(), "stock_alert_below", 20));
        return LAKE.spark().sql(StatementSplitter.bind(q.sql(), params)).collectAsList();
    }

    private static List<List<Object>> rows(List<Row> rows, String... columns) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : rows) {
            List<Object> line = new ArrayList<>();
            for (String c : columns) {
                Object v = r.get(r.fieldIndex(c));
                line.add(norm(v));
            }
            out.add(line);
        }
        return out;
    }

    /** Money compares by value: PostgreSQL's 0 and Spark's 0.00 are the same amount. */
    private static Object norm(Object v) {
        return v instanceof BigDecimal d ? d.setScale(2, java.math.RoundingMode.UNNECESSARY) : v;
    }

    private static List<List<Object>> pg(String sql, LocalDate[] range) throws SQLException {
        return pg(sql, new Object[] {range[0], range[1]});
    }

    private static List<List<Object>> pg(String sql, Object[] params) throws SQLException {
        var pgc = LAKE.config().postgres();
        try (Connection c = DriverManager.getConnection(pgc.url(), pgc.user(), pgc.requirePassword());
             PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            List<List<Object>> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    List<Object> line = new ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        line.add(norm(rs.getObject(i)));
                    }
                    out.add(line);
                }
            }
            return out;
        }
    }

}
