package dev.shoplake.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.testing.Events;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The simulator's invariants, checked on the real database and the real event stream. */
final class ShopInvariants {
    private ShopInvariants() {
    }

    /** Each query returns the ids that break the rule named by its key. */
    static final Map<String, String> DATABASE_RULES = new LinkedHashMap<>();

    static {
        DATABASE_RULES.put("stock is never negative", "SELECT id FROM products WHERE stock_quantity < 0");
        DATABASE_RULES.put("sale total = sum of its lines", """
                SELECT s.id FROM sales s
                LEFT JOIN (SELECT order_id, sum(total_price) AS total, count(*) AS n FROM order_details GROUP BY 1) d
                       ON d.order_id = s.id
                WHERE d.n IS NULL OR s.total_amount <> d.total""");
        DATABASE_RULES.put("a completed sale has exactly one payment, paid, and points at it", """
                SELECT s.id FROM sales s WHERE s.order_status = 'Completed' AND (
                    (SELECT count(*) FROM payments p WHERE p.order_id = s.id) <> 1
                    OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = s.id AND p.payment_status = 'Paid'
                                   AND p.id = s.payment_id))""");
        DATABASE_RULES.put("a canceled sale has exactly one payment, failed, and no payment_id", """
                SELECT s.id FROM sales s WHERE s.order_status = 'Canceled' AND (s.payment_id IS NOT NULL
                    OR (SELECT count(*) FROM payments p WHERE p.order_id = s.id) <> 1
                    OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = s.id AND p.payment_status = 'Failed'))""");
        DATABASE_RULES.put("no sale is left pending", "SELECT id FROM sales WHERE order_status = 'Pending'");
        DATABASE_RULES.put("no cart is empty", """
                SELECT c.id FROM shopping_carts c WHERE NOT EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = c.id)""");
        DATABASE_RULES.put("a customer has at most one cart",
                "SELECT customer_id FROM shopping_carts GROUP BY 1 HAVING count(*) > 1");
        DATABASE_RULES.put("cart line total = unit price x quantity",
                "SELECT id FROM cart_items WHERE total_price <> unit_price * quantity");
        DATABASE_RULES.put("order line total = unit price x quantity",
                "SELECT id FROM order_details WHERE total_price <> unit_price * quantity");
        DATABASE_RULES.put("updated_at is never before created_at", """
                SELECT id FROM sales WHERE updated_at < created_at UNION ALL
                SELECT id FROM shopping_carts WHERE updated_at < created_at UNION ALL
                SELECT id FROM cart_items WHERE updated_at < created_at""");
    }

    static void assertDatabase(Connection c) throws SQLException {
        Map<String, List<Long>> broken = new LinkedHashMap<>();
        for (var rule : DATABASE_RULES.entrySet()) {
            List<Long> ids = longs(c, rule.getValue());
            if (!ids.isEmpty()) {
                broken.put(rule.getKey(), ids.subList(0, Math.min(10, ids.size())));
            }
        }
        assertEquals(Map.of(), broken, "database invariants broken (rule -> first offending ids)");
    }

    /** The stream, replayed, says exactly what the database holds. */
    static void assertStreamMatches(Connection c, List<Events.Event> events, Instant from, Instant to)
            throws SQLException {
        Set<String> ids = new HashSet<>();
        for (Events.Event e : events) {
            assertEquals(true, ids.add(e.body().get("event_id").asText()), "duplicate event id " + e.body());
            Instant t = Instant.parse(e.body().get("timestamp").asText());
            assertEquals(true, !t.isBefore(from) && !t.isAfter(to), "event time " + t + " outside [" + from + ", " + to
                    + "]: " + e.body());
        }
        // sales: ids, totals and final status
        Map<Long, String> saleFromEvents = new TreeMap<>();
        for (Events.Event e : events) {
            switch (e.type()) {
                case "SALES" -> saleFromEvents.put(e.longField("sale_id"),
                        e.body().get("total_amount").decimalValue().setScale(2).toPlainString() + " Pending");
                case "SUCCESS_SALE" -> saleFromEvents.computeIfPresent(e.longField("sale_id"),
                        (k, v) -> v.replace("Pending", "Completed"));
                case "SALE_CANCELED" -> saleFromEvents.computeIfPresent(e.longField("sale_id"),
                        (k, v) -> v.replace("Pending", "Canceled"));
                default -> {
                }
            }
        }
        assertSameMap(strings(c, "SELECT id, total_amount::text || ' ' || order_status FROM sales"), saleFromEvents,
                "sales (total and status) from events vs database");

        Map<Long, String> linesFromEvents = new TreeMap<>();
        Map<Long, String> paymentsFromEvents = new TreeMap<>();
        Map<Long, Long> lastLevel = new TreeMap<>();
        Map<Long, Long> sumOfDeltas = new TreeMap<>();
        Set<Long> openCarts = new TreeSet<>();
        Map<String, Long> cartLines = new TreeMap<>();
        for (Events.Event e : events) {
            var b = e.body();
            switch (e.type()) {
                case "ORDER_DETAILS" -> linesFromEvents.put(e.longField("order_detail_id"),
                        b.get("sale_id").asText() + " " + b.get("product_id").asText() + " " + b.get("quantity").asText()
                                + " " + b.get("total_price").decimalValue().setScale(2).toPlainString());
                case "MAKE_PAYMENT" -> paymentsFromEvents.put(e.longField("payment_id"),
                        b.get("sale_id").asText() + " " + b.get("payment_status").asText() + " "
                                + b.get("transaction_id").asText());
                case "STOCK_CHANGED" -> {
                    lastLevel.put(e.longField("product_id"), e.longField("stock_level"));
                    sumOfDeltas.merge(e.longField("product_id"), e.longField("delta"), Long::sum);
                }
                case "CREATE_CART" -> openCarts.add(e.longField("cart_id"));
                case "DELETE_CART" -> {
                    openCarts.remove(e.longField("cart_id"));
                    String prefix = e.longField("cart_id") + "/";
                    cartLines.keySet().removeIf(k -> k.startsWith(prefix));
                }
                case "ADD_TO_CART", "REMOVE_FROM_CART" -> {
                    String key = e.longField("cart_id") + "/" + e.longField("product_id");
                    long remaining = e.longField("line_quantity");
                    if (remaining == 0) {
                        cartLines.remove(key);
                    } else {
                        cartLines.put(key, remaining);
                    }
                }
                default -> {
                }
            }
        }
        assertSameMap(strings(c, """
                SELECT id, order_id || ' ' || product_id || ' ' || quantity || ' ' || total_price FROM order_details"""),
                linesFromEvents, "order lines from events vs database");
        assertSameMap(strings(c, "SELECT id, order_id || ' ' || payment_status || ' ' || transaction_id FROM payments"),
                paymentsFromEvents, "payments from events vs database");
        Map<Long, Long> stock = new TreeMap<>();
        strings(c, "SELECT id, stock_quantity::text FROM products").forEach((k, v) -> stock.put(k, Long.parseLong(v)));
        assertSameMap(stock, lastLevel, "latest stock level per product from events vs database");
        assertSameMap(stock, sumOfDeltas, "sum of stock changes per product vs database");
        assertEquals(new TreeSet<>(longs(c, "SELECT id FROM shopping_carts")), openCarts, "open carts");
        Map<String, Long> dbLines = new TreeMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT cart_id || '/' || product_id, quantity FROM cart_items")) {
            while (rs.next()) {
                dbLines.put(rs.getString(1), rs.getLong(2));
            }
        }
        assertSameMap(dbLines, cartLines, "cart lines from events vs database");
    }

    /** Equal maps, or a failure naming the first keys that differ (not two whole maps). */
    static <K, V> void assertSameMap(Map<K, V> expected, Map<K, V> actual, String what) {
        Set<K> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        List<String> diffs = new ArrayList<>();
        for (K k : keys) {
            if (!java.util.Objects.equals(expected.get(k), actual.get(k))) {
                diffs.add(k + ": database=" + expected.get(k) + " stream=" + actual.get(k));
            }
        }
        assertEquals(List.of(), diffs.subList(0, Math.min(10, diffs.size())),
                what + ": " + diffs.size() + " of " + keys.size() + " keys differ");
    }

    static List<Long> longs(Connection c, String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    static Map<Long, String> strings(Connection c, String sql) throws SQLException {
        Map<Long, String> out = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getString(2));
            }
        }
        return out;
    }

    static Map<String, Long> counts(List<Events.Event> events) {
        Map<String, Long> counts = new HashMap<>();
        events.forEach(e -> counts.merge(e.type(), 1L, Long::sum));
        return counts;
    }
}
