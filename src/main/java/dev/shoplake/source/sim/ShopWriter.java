package dev.shoplake.source.sim;

import dev.shoplake.config.StateException;
import dev.shoplake.source.db.PgCopy;
import dev.shoplake.source.sim.ShopState.Cart;
import dev.shoplake.source.sim.ShopState.CartLine;
import dev.shoplake.source.sim.ShopState.Product;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves the simulator's state between PostgreSQL and memory. {@link #flush} writes only the net
 * change since the last flush (new and changed rows by COPY, then set-based upserts and deletes),
 * inside the caller's transaction, so a flush is all or nothing.
 */
final class ShopWriter {
    private ShopWriter() {
    }

    static ShopState load(Connection c) throws SQLException {
        ShopState s = new ShopState();
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT seed, clock, next_event_seq FROM simulator.state WHERE id = 1")) {
                if (!rs.next()) {
                    throw new StateException("the shop database is not seeded yet: run 'lakehouse seed' first");
                }
                s.seed = rs.getLong(1);
                s.clock = rs.getTimestamp(2).toInstant();
                s.nextEventSeq = rs.getLong(3);
            }
            List<int[]> customers = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    SELECT c.id, coalesce(a.id, 0)
                    FROM customers c
                    LEFT JOIN LATERAL (SELECT id FROM addresses a WHERE a.customer_id = c.id
                                       ORDER BY is_default_shipping DESC, id LIMIT 1) a ON true
                    ORDER BY c.id""")) {
                while (rs.next()) {
                    customers.add(new int[] {rs.getInt(1), rs.getInt(2)});
                }
            }
            s.customerIds = customers.stream().mapToInt(r -> r[0]).toArray();
            s.customerAddressIds = customers.stream().mapToInt(r -> r[1]).toArray();
            try (ResultSet rs = st.executeQuery("SELECT id, price, stock_quantity FROM products ORDER BY id")) {
                while (rs.next()) {
                    Product p = new Product(rs.getInt(1), cents(rs.getBigDecimal(2)), rs.getInt(3));
                    s.products.put(p.id, p);
                }
            }
            s.productIds = s.products.keySet().stream().mapToInt(Integer::intValue).toArray();
            try (ResultSet rs = st.executeQuery("SELECT id, customer_id, created_at, updated_at FROM shopping_carts")) {
                while (rs.next()) {
                    Cart cart = new Cart(rs.getInt(1), rs.getInt(2), rs.getTimestamp(3).toInstant());
                    cart.updatedAt = rs.getTimestamp(4).toInstant();
                    cart.persisted = true;
                    s.carts.put(cart.id, cart);
                    s.cartByCustomer.put(cart.customerId, cart);
                }
            }
            try (ResultSet rs = st.executeQuery("""
                    SELECT id, cart_id, product_id, unit_price, quantity, created_at, updated_at FROM cart_items""")) {
                while (rs.next()) {
                    CartLine line = new CartLine(rs.getInt(1), rs.getInt(3), cents(rs.getBigDecimal(4)), rs.getInt(5),
                            rs.getTimestamp(6).toInstant());
                    line.updatedAt = rs.getTimestamp(7).toInstant();
                    line.persisted = true;
                    s.carts.get(rs.getInt(2)).lines.put(line.productId, line);
                }
            }
            s.nextCartId = nextId(st, "shopping_carts");
            s.nextCartItemId = nextId(st, "cart_items");
            s.nextSaleId = nextId(st, "sales");
            s.nextOrderDetailId = nextId(st, "order_details");
            s.nextPaymentId = nextId(st, "payments");
        }
        return s;
    }

    private static int nextId(Statement st, String table) throws SQLException {
        // past the identity sequence too: ids the database handed out itself must not be reused
        try (ResultSet rs = st.executeQuery("SELECT greatest((SELECT coalesce(max(id), 0) FROM " + table + "), "
                + "(SELECT coalesce(last_value, 0) FROM pg_sequences WHERE schemaname || '.' || sequencename = "
                + "pg_get_serial_sequence('" + table + "', 'id'))) + 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static void flush(Connection c, ShopState s) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL synchronous_commit = off"); // a simulator's flush may be lost in a crash; the next run continues from what committed
            if (!s.deletedCartIds.isEmpty()) {
                deleteByIds(c, "shopping_carts", s.deletedCartIds);
            }
            if (!s.deletedLineIds.isEmpty()) {
                deleteByIds(c, "cart_items", s.deletedLineIds);
            }
            st.execute("CREATE TEMP TABLE IF NOT EXISTS sim_carts (LIKE shopping_carts) ON COMMIT DELETE ROWS");
            st.execute("CREATE TEMP TABLE IF NOT EXISTS sim_cart_items (LIKE cart_items) ON COMMIT DELETE ROWS");
            st.execute("CREATE TEMP TABLE IF NOT EXISTS sim_products "
                    + "(id integer, price numeric(10,2), stock_quantity integer, updated_at timestamptz) "
                    + "ON COMMIT DELETE ROWS");

            try (PgCopy carts = PgCopy.into(c, "sim_carts", List.of("id", "customer_id", "created_at", "updated_at"))) {
                for (Cart cart : s.dirtyCarts) {
                    carts.row(cart.id, cart.customerId, cart.createdAt, cart.updatedAt);
                }
                carts.finish();
            }
            try (PgCopy items = PgCopy.into(c, "sim_cart_items", List.of("id", "cart_id", "product_id", "quantity",
                    "unit_price", "total_price", "created_at", "updated_at"))) {
                for (Cart cart : s.dirtyCarts) {
                    for (CartLine line : cart.lines.values()) {
                        items.row(line.id, cart.id, line.productId, line.quantity, money(line.unitPriceCents),
                                money(line.totalCents()), line.createdAt, line.updatedAt);
                    }
                }
                items.finish();
            }
            st.execute("""
                    INSERT INTO shopping_carts (id, customer_id, created_at, updated_at)
                    SELECT id, customer_id, created_at, updated_at FROM sim_carts
                    ON CONFLICT (id) DO UPDATE SET updated_at = EXCLUDED.updated_at""");
            st.execute("""
                    INSERT INTO cart_items (id, cart_id, product_id, quantity, unit_price, total_price, created_at, updated_at)
                    SELECT id, cart_id, product_id, quantity, unit_price, total_price, created_at, updated_at
                    FROM sim_cart_items
                    ON CONFLICT (id) DO UPDATE SET quantity = EXCLUDED.quantity, total_price = EXCLUDED.total_price,
                                                   updated_at = EXCLUDED.updated_at
                    WHERE cart_items.updated_at IS DISTINCT FROM EXCLUDED.updated_at""");

            try (PgCopy products = PgCopy.into(c, "sim_products", List.of("id", "price", "stock_quantity", "updated_at"))) {
                for (Product p : s.dirtyProducts) {
                    products.row(p.id, money(p.priceCents), p.stock, p.updatedAt);
                }
                products.finish();
            }
            st.execute("""
                    UPDATE products p SET price = t.price, stock_quantity = t.stock_quantity, updated_at = t.updated_at
                    FROM sim_products t WHERE p.id = t.id""");

            try (PgCopy sales = PgCopy.into(c, "sales", List.of("id", "customer_id", "order_date", "order_status",
                    "total_amount", "shipping_address_id", "billing_address_id", "payment_id", "cart_id", "created_at",
                    "updated_at"))) {
                for (ShopState.Sale sale : s.newSales) {
                    Integer address = sale.addressId() == 0 ? null : sale.addressId();
                    sales.row(sale.id(), sale.customerId(), sale.orderDate(), sale.status(), money(sale.totalCents()),
                            address, address, sale.paymentId(), sale.cartId(), sale.orderDate(), sale.orderDate());
                }
                sales.finish();
            }
            try (PgCopy payments = PgCopy.into(c, "payments", List.of("id", "order_id", "payment_date",
                    "payment_method", "payment_status", "transaction_id", "created_at", "updated_at"))) {
                for (ShopState.Payment p : s.newPayments) {
                    payments.row(p.id(), p.saleId(), p.paymentDate(), p.method(), p.status(), p.transactionId(),
                            p.paymentDate(), p.paymentDate());
                }
                payments.finish();
            }
            try (PgCopy details = PgCopy.into(c, "order_details", List.of("id", "order_id", "product_id", "quantity",
                    "unit_price", "total_price", "created_at", "updated_at"))) {
                for (ShopState.OrderDetail d : s.newOrderDetails) {
                    details.row(d.id(), d.saleId(), d.productId(), d.quantity(), money(d.unitPriceCents()),
                            money(d.unitPriceCents() * d.quantity()), d.createdAt(), d.createdAt());
                }
                details.finish();
            }
            // keep the identity sequences ahead of the ids the simulator hands out itself
            for (String[] t : new String[][] {{"shopping_carts", "" + (s.nextCartId - 1)},
                    {"cart_items", "" + (s.nextCartItemId - 1)}, {"sales", "" + (s.nextSaleId - 1)},
                    {"order_details", "" + (s.nextOrderDetailId - 1)}, {"payments", "" + (s.nextPaymentId - 1)}}) {
                if (!t[1].equals("0")) {
                    st.execute("SELECT setval(pg_get_serial_sequence('" + t[0] + "', 'id'), greatest(" + t[1]
                            + ", (SELECT coalesce(max(id), 1) FROM " + t[0] + ")))");
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE simulator.state SET clock = ?, next_event_seq = ? WHERE id = 1")) {
                ps.setTimestamp(1, Timestamp.from(s.clock));
                ps.setLong(2, s.nextEventSeq);
                ps.executeUpdate();
            }
        }
        for (Cart cart : s.dirtyCarts) {
            cart.persisted = true;
            cart.lines.values().forEach(l -> l.persisted = true);
        }
        s.clearChanges();
    }

    private static void deleteByIds(Connection c, String table, java.util.Collection<Integer> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("integer", ids.toArray()));
            ps.executeUpdate();
        }
    }

    static long cents(BigDecimal money) {
        return money.movePointRight(2).longValueExact();
    }

    static BigDecimal money(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }
}
