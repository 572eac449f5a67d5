package dev.shoplake.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.StateException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.events.KafkaEventPublisher;
import dev.shoplake.source.seed.ShopSeeder;
import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.testing.Events;
import dev.shoplake.testing.TestStack;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Migrations and the SF0.01 seed on real PostgreSQL. */
@Tag("integration")
class SchemaAndSeedIT {
    private static final TestStack STACK = TestStack.get();

    @Test
    void migrationsCreateTheNineTablesTheDeleteLogTheirEnumsAndTheUpdatedAtTriggerOnce() throws Exception {
        LakehouseConfig config = STACK.freshShop();
        ShopDatabase db = new ShopDatabase(config.postgres());
        assertEquals(5, db.migrate());
        assertEquals(0, db.migrate(), "a second run applies nothing");
        try (Connection c = db.connect()) {
            List<String> expected = new java.util.ArrayList<>(ShopDatabase.TABLES);
            expected.add("deleted_rows");
            assertEquals(expected.stream().sorted().toList(), column(c, """
                    SELECT table_name FROM information_schema.tables
                    WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history' ORDER BY 1"""));
            // the outbox lives beside the shop's tables, not among them: bronze never lands it
            assertEquals(List.of("outbox.events"), column(c, """
                    SELECT table_schema || '.' || table_name FROM information_schema.tables
                    WHERE table_schema = 'outbox'"""));
            assertEquals(List.of("Pending", "Completed", "Canceled"),
                    column(c, "SELECT unnest(enum_range(NULL::order_status))::text"));
            assertEquals(List.of("Credit Card", "E-Wallet"),
                    column(c, "SELECT unnest(enum_range(NULL::payment_method))::text"));
            assertEquals(List.of("Paid", "Pending", "Failed"),
                    column(c, "SELECT unnest(enum_range(NULL::payment_status))::text"));
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO categories (id, name, created_at, updated_at) VALUES (1, 'X', '2020-01-01', '2020-01-01')");
                st.execute("UPDATE categories SET description = 'changed' WHERE id = 1");
                st.execute("INSERT INTO categories (id, name, created_at, updated_at) VALUES (2, 'Y', '2020-01-01', '2020-01-01')");
                st.execute("UPDATE categories SET description = 'set', updated_at = '2021-06-01' WHERE id = 2");
            }
            assertEquals(List.of("true", "2021-06-01"), column(c, """
                    SELECT (SELECT (updated_at > now() - interval '1 minute')::text FROM categories WHERE id = 1)
                    UNION ALL SELECT (SELECT updated_at::date::text FROM categories WHERE id = 2)"""),
                    "an update stamps updated_at unless it sets it itself");
            SQLException negative = assertThrows(SQLException.class, () -> {
                try (Statement st = c.createStatement()) {
                    st.execute("INSERT INTO products (name, price, stock_quantity, category_id) VALUES ('p', 1, -1, 1)");
                }
            });
            assertTrue(negative.getMessage().contains("products_stock_quantity_check"), negative.getMessage());
            try (Statement st = c.createStatement()) {
                st.execute("DELETE FROM categories WHERE id = 2");
            }
            assertEquals(List.of("categories 2"), column(c, "SELECT table_name || ' ' || row_id FROM deleted_rows"),
                    "a delete is logged for the lake");
            assertEquals(List.of("2"), column(c, "SELECT old_row ->> 'id' FROM deleted_rows"),
                    "with the row as it was, for a lake that never saw it");
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO customers (first_name, last_name, email, password_hash) "
                        + "VALUES ('A', 'B', 'a@example.com', 'secret-hash')");
                st.execute("DELETE FROM customers WHERE email = 'a@example.com'");
            }
            assertEquals(List.of("a@example.com false"), column(c, "SELECT (old_row ->> 'email') || ' ' || "
                    + "(old_row ? 'password_hash')::text FROM deleted_rows WHERE table_name = 'customers'"),
                    "password_hash never leaves the source, not even in the delete log");
        }
    }

    @Test
    void sf001IsTheOriginalShopAndItsOpeningStockIsPublished() throws Exception {
        LakehouseConfig config = STACK.freshShop();
        ShopDatabase db = new ShopDatabase(config.postgres());
        db.migrate();
        Instant start = Instant.parse("2026-05-01T00:00:00Z");
        try (var events = new KafkaEventPublisher(config.kafka(), "sim-" + config.kafka().topicPrefix());
             var sim = new ShopSimulator(config, db, events)) {
            assertEquals(new ShopSeeder.Seeded(10, 50, 200, 200), sim.seed(0.01, 42, start));
            StateException again = assertThrows(StateException.class, () -> sim.seed(0.01, 42, start));
            assertEquals("the shop database is already seeded (seed 42, scale factor 0.01)", again.getMessage());
        }
        try (Connection c = db.connect()) {
            assertEquals(Map.of("categories", 10L, "customers", 200L, "addresses", 200L, "products", 50L,
                    "shopping_carts", 0L, "cart_items", 0L, "sales", 0L, "order_details", 0L, "payments", 0L),
                    new TreeMap<>(db.rowCounts()).entrySet().stream().collect(java.util.stream.Collectors.toMap(
                            Map.Entry::getKey, Map.Entry::getValue)));
            assertEquals(ShopSeeder.CATEGORIES, column(c, "SELECT name FROM categories ORDER BY id"));
            assertEquals(List.of("5"), column(c, "SELECT DISTINCT count(*)::text FROM products GROUP BY category_id"));
            assertEquals(List.of("0"), column(c, """
                    SELECT count(*)::text FROM products
                    WHERE price <= 0 OR price > 20 OR stock_quantity < 20 OR stock_quantity > 200"""));
            assertEquals(List.of("200"), column(c, "SELECT count(DISTINCT email)::text FROM customers"));
            assertEquals(List.of("200"), column(c, """
                    SELECT count(*)::text FROM addresses WHERE is_default_shipping AND is_default_billing"""));
            assertEquals(List.of("0"), column(c, "SELECT count(*)::text FROM customers WHERE created_at >= '" + start + "'"),
                    "customers existed before the simulation starts");
            Map<Long, String> stock = ShopInvariants.strings(c, "SELECT id, stock_quantity::text FROM products");
            Map<Long, String> opening = new TreeMap<>();
            for (Events.Event e : Events.readAll(config.kafka())) {
                assertEquals("STOCK_CHANGED", e.type());
                assertEquals("initial", e.body().get("reason").asText());
                assertEquals(start.toString(), e.body().get("timestamp").asText());
                opening.put(e.longField("product_id"), e.body().get("stock_level").asText());
            }
            assertEquals(stock, opening);
        }
    }

    @Test
    void sizesGrowFromTheOriginalToSf1() {
        assertEquals(200, ShopSeeder.customersAt(0.01));
        assertEquals(50, ShopSeeder.productsAt(0.01));
        assertEquals(100_000, ShopSeeder.customersAt(1));
        assertEquals(10_000, ShopSeeder.productsAt(1));
        assertTrue(ShopSeeder.customersAt(0.1) > 2_000 && ShopSeeder.customersAt(0.1) < 10_000);
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
