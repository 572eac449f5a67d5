package dev.shoplake.source.sim;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The shop as the simulator holds it between flushes: what it needs to apply the generator's rules
 * in memory (prices, stock, open carts) plus the id counters and what changed since the last flush.
 * Loaded from the database by {@link ShopWriter#load}, so a restart continues where it stopped.
 */
final class ShopState {
    static final class Product {
        final int id;
        long priceCents;
        int stock;
        Instant updatedAt;

        Product(int id, long priceCents, int stock) {
            this.id = id;
            this.priceCents = priceCents;
            this.stock = stock;
        }
    }

    static final class CartLine {
        final int id;
        final int productId;
        final long unitPriceCents;
        final Instant createdAt;
        int quantity;
        Instant updatedAt;
        boolean persisted;

        CartLine(int id, int productId, long unitPriceCents, int quantity, Instant createdAt) {
            this.id = id;
            this.productId = productId;
            this.unitPriceCents = unitPriceCents;
            this.quantity = quantity;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }

        long totalCents() {
            return unitPriceCents * quantity;
        }
    }

    static final class Cart {
        final int id;
        final int customerId;
        final Instant createdAt;
        Instant updatedAt;
        boolean persisted;
        /** One line per product, ordered by product id so iteration is deterministic. */
        final TreeMap<Integer, CartLine> lines = new TreeMap<>();

        Cart(int id, int customerId, Instant createdAt) {
            this.id = id;
            this.customerId = customerId;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }

        long totalCents() {
            return lines.values().stream().mapToLong(CartLine::totalCents).sum();
        }
    }

    record Sale(int id, int customerId, Instant orderDate, String status, long totalCents, int addressId,
                Integer paymentId, int cartId) {
    }

    record OrderDetail(int id, int saleId, int productId, int quantity, long unitPriceCents, Instant createdAt) {
    }

    record Payment(int id, int saleId, Instant paymentDate, String method, String status, String transactionId) {
    }

    /** Customers by position: id and default (shipping = billing) address id. */
    int[] customerIds = new int[0];
    int[] customerAddressIds = new int[0];
    final TreeMap<Integer, Product> products = new TreeMap<>();
    int[] productIds = new int[0];
    final TreeMap<Integer, Cart> carts = new TreeMap<>();
    final Map<Integer, Cart> cartByCustomer = new HashMap<>();

    int nextCartId = 1;
    int nextCartItemId = 1;
    int nextSaleId = 1;
    int nextOrderDetailId = 1;
    int nextPaymentId = 1;
    long nextEventSeq = 1;
    long seed;
    Instant clock;

    // What changed since the last flush.
    final Set<Product> dirtyProducts = new LinkedHashSet<>();
    final Set<Cart> dirtyCarts = new LinkedHashSet<>();
    final Set<Integer> deletedCartIds = new LinkedHashSet<>();
    final Set<Integer> deletedLineIds = new LinkedHashSet<>();
    final java.util.List<Sale> newSales = new java.util.ArrayList<>();
    final java.util.List<OrderDetail> newOrderDetails = new java.util.ArrayList<>();
    final java.util.List<Payment> newPayments = new java.util.ArrayList<>();

    void clearChanges() {
        dirtyProducts.clear();
        dirtyCarts.clear();
        deletedCartIds.clear();
        deletedLineIds.clear();
        newSales.clear();
        newOrderDetails.clear();
        newPayments.clear();
    }
}
