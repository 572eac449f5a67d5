package dev.shoplake.source.sim;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.source.events.EventTopic;
import dev.shoplake.source.events.ShopEvent;
import dev.shoplake.source.sim.ShopState.Cart;
import dev.shoplake.source.sim.ShopState.CartLine;
import dev.shoplake.source.sim.ShopState.Product;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The original generator's rules, applied in memory to a {@link ShopState} for one step:
 * add to cart (restock under 20 by 200 first), remove from cart, drop empty carts, check out with a
 * payment that fails with the configured probability, plus price changes, the stale-cart purge and
 * website traffic. A step carries an intensity ({@link ShopRhythm}: 1.0 is one of the generator's
 * ticks), so a day costs the same activity in five-minute steps as in one-second ones: shoppers
 * and price changes are drawn with the step's share of a tick's mean, and a cart's chance to be
 * checked out or emptied is compounded over it. Every action becomes events with its own
 * simulated time; the random numbers come from (seed, step start), so the same state and seed
 * give the same step.
 */
final class ShopRules {
    static final int RESTOCK_BELOW = 20;
    static final int RESTOCK_BY = 200;
    static final int MAX_ADD_QUANTITY = 20;
    static final double FULL_LINE_REMOVAL = 0.30;
    static final double PRICE_CHANGE_PER_TICK = 0.30;

    private final LakehouseConfig.Simulator config;
    private final ShopState state;
    private final List<ShopEvent> events = new ArrayList<>();
    private SplittableRandom rng;
    private long lastPurgeDay = Long.MIN_VALUE;
    private Instant tickStart;

    ShopRules(LakehouseConfig.Simulator config, ShopState state) {
        this.config = config;
        this.state = state;
    }

    /** Simulates [start, end) at {@code intensity} generator ticks and returns its events in causal order. */
    List<ShopEvent> tick(Instant start, Instant end, double intensity) {
        events.clear();
        tickStart = start;
        rng = new SplittableRandom(state.seed * 0x9E3779B97F4A7C15L ^ start.toEpochMilli());
        long span = Duration.between(start, end).toMillis();
        Instant addPhase = start;
        Instant removePhase = start.plusMillis(span * 50 / 100);
        Instant checkoutPhase = start.plusMillis(span * 65 / 100);
        long addLen = span * 50 / 100;
        long removeLen = span * 15 / 100;
        long checkoutLen = span - span * 65 / 100;

        purgeIfDue(start);
        addToCarts(addPhase, addLen, intensity);
        changePrices(addPhase.plusMillis(addLen / 2), intensity);
        removeFromCarts(removePhase, removeLen, compounded(config.removeProbability(), intensity));
        checkout(checkoutPhase, checkoutLen, compounded(config.checkoutProbability(), intensity));
        state.clock = end;
        return List.copyOf(events);
    }

    /** The i-th of n evenly spread slots in a phase, with jitter inside the slot. */
    private Instant slot(Instant phase, long length, int i, int n) {
        long slotLen = Math.max(1, length / Math.max(1, n));
        return phase.plusMillis(i * slotLen + rng.nextLong(Math.max(1, slotLen / 2)));
    }

    /** The chance per tick {@code p}, over {@code intensity} ticks. */
    private static double compounded(double p, double intensity) {
        return 1 - Math.pow(1 - p, intensity);
    }

    /** A Poisson draw with the given mean (Knuth's for small means, a rounded normal for large ones). */
    private int poisson(double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            double z = Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
        }
        double limit = Math.exp(-mean);
        double product = rng.nextDouble();
        int n = 0;
        while (product > limit) {
            product *= rng.nextDouble();
            n++;
        }
        return n;
    }

    private void addToCarts(Instant phase, long length, double intensity) {
        if (state.customerIds.length == 0 || state.productIds.length == 0) {
            return;
        }
        // a generator tick has 1 + uniform(0, max - 1) shoppers: (max + 1) / 2 on average
        int most = Math.min(config.maxCustomersPerTick(), state.customerIds.length);
        int shoppers = Math.min(state.customerIds.length, poisson(intensity * (most + 1) / 2.0));
        if (shoppers == 0) {
            return;
        }
        int[] picked = rng.ints(0, state.customerIds.length).distinct().limit(shoppers).toArray();
        int anonymous = config.websiteEvents() ? rng.nextInt(shoppers + 1) : 0;
        for (int i = 0; i < picked.length; i++) {
            Instant t = slot(phase, length, i, picked.length + anonymous);
            int customerId = state.customerIds[picked[i]];
            Product product = state.products.get(state.productIds[rng.nextInt(state.productIds.length)]);
            if (config.websiteEvents()) {
                browse(customerId, product.id, t);
            }
            Cart cart = state.cartByCustomer.get(customerId);
            if (cart == null) {
                cart = new Cart(state.nextCartId++, customerId, t);
                state.carts.put(cart.id, cart);
                state.cartByCustomer.put(customerId, cart);
                emit(EventTopic.STORE, "CREATE_CART", t, "cart_id", cart.id, "customer_id", customerId);
            }
            int quantity = 1 + rng.nextInt(MAX_ADD_QUANTITY);
            if (product.stock < RESTOCK_BELOW) {
                changeStock(product, RESTOCK_BY, "restock", null, t);
            }
            CartLine line = cart.lines.get(product.id);
            if (line == null) {
                line = new CartLine(state.nextCartItemId++, product.id, product.priceCents, quantity, t);
                cart.lines.put(product.id, line);
            } else {
                line.quantity += quantity;
                line.updatedAt = t;
            }
            touch(cart, t);
            emit(EventTopic.STORE, "ADD_TO_CART", t, "cart_id", cart.id, "customer_id", customerId,
                    "product_id", product.id, "quantity", quantity, "unit_price", money(line.unitPriceCents),
                    "line_quantity", line.quantity);
            changeStock(product, -quantity, "cart", cart.id, t);
        }
        for (int i = 0; i < anonymous; i++) {
            Instant t = slot(phase, length, picked.length + i, picked.length + anonymous);
            browse(null, state.productIds[rng.nextInt(state.productIds.length)], t);
        }
    }

    /**
     * A website session that ends at {@code endAt}: its start and a few page views, the last on the
     * product's page, laid out backwards so that none falls outside the tick.
     */
    private void browse(Integer customerId, int productId, Instant endAt) {
        String session = new UUID(rng.nextLong(), rng.nextLong()).toString();
        String device = switch (rng.nextInt(3)) {
            case 0 -> "desktop";
            case 1 -> "mobile";
            default -> "tablet";
        };
        int views = 1 + rng.nextInt(4);
        long gap = Math.max(0, Math.min(1_000, Duration.between(tickStart, endAt).toMillis() / (views + 1)));
        emit(EventTopic.WEBSITE, "SESSION_START", endAt.minusMillis(views * gap), "session_id", session,
                "customer_id", customerId, "device", device);
        for (int v = 0; v < views; v++) {
            boolean last = v == views - 1;
            String page = last ? "product" : switch (rng.nextInt(3)) {
                case 0 -> "home";
                case 1 -> "category";
                default -> "search";
            };
            emit(EventTopic.WEBSITE, "PAGE_VIEW", endAt.minusMillis((views - 1 - v) * gap), "session_id", session,
                    "customer_id", customerId, "page", page, "product_id", last ? productId : null);
        }
    }

    private void changePrices(Instant t, double intensity) {
        if (state.productIds.length == 0) {
            return;
        }
        for (int n = poisson(PRICE_CHANGE_PER_TICK * intensity); n > 0; n--) {
            changePrice(t);
        }
    }

    private void changePrice(Instant t) {
        Product p = state.products.get(state.productIds[rng.nextInt(state.productIds.length)]);
        long old = p.priceCents;
        long updated = Math.max(50, Math.round(old * (0.8 + 0.4 * rng.nextDouble())));
        if (updated == old) {
            return;
        }
        p.priceCents = updated;
        p.updatedAt = t;
        state.dirtyProducts.add(p);
        emit(EventTopic.STOCK, "PRICE_CHANGED", t, "product_id", p.id, "old_price", money(old),
                "new_price", money(updated));
    }

    private void removeFromCarts(Instant phase, long length, double probability) {
        List<Cart> chosen = new ArrayList<>();
        for (Cart cart : state.carts.values()) {
            if (rng.nextDouble() < probability) {
                chosen.add(cart);
            }
        }
        for (int i = 0; i < chosen.size(); i++) {
            Cart cart = chosen.get(i);
            Instant t = slot(phase, length, i, chosen.size());
            if (!cart.lines.isEmpty()) {
                List<CartLine> lines = new ArrayList<>(cart.lines.values());
                CartLine line = lines.get(rng.nextInt(lines.size()));
                int removed = line.quantity == 1 || rng.nextDouble() < FULL_LINE_REMOVAL
                        ? line.quantity
                        : 1 + rng.nextInt(line.quantity - 1);
                line.quantity -= removed;
                line.updatedAt = t;
                if (line.quantity == 0) {
                    cart.lines.remove(line.productId);
                    if (line.persisted) {
                        state.deletedLineIds.add(line.id);
                    }
                }
                touch(cart, t);
                emit(EventTopic.STORE, "REMOVE_FROM_CART", t, "cart_id", cart.id, "customer_id", cart.customerId,
                        "product_id", line.productId, "quantity", removed, "line_quantity", line.quantity);
                changeStock(state.products.get(line.productId), removed, "cart", cart.id, t);
            }
            if (cart.lines.isEmpty()) {
                deleteCart(cart, "empty", t);
            }
        }
    }

    private void checkout(Instant phase, long length, double probability) {
        List<Cart> chosen = new ArrayList<>();
        for (Cart cart : state.carts.values()) {
            if (!cart.lines.isEmpty() && rng.nextDouble() < probability) {
                chosen.add(cart);
            }
        }
        for (int i = 0; i < chosen.size(); i++) {
            Cart cart = chosen.get(i);
            Instant t = slot(phase, length, i, chosen.size());
            int saleId = state.nextSaleId++;
            int paymentId = state.nextPaymentId++;
            int addressId = addressOf(cart.customerId);
            long total = cart.totalCents();
            emit(EventTopic.STORE, "CHECKOUT", t, "cart_id", cart.id, "customer_id", cart.customerId,
                    "sale_id", saleId, "total_amount", money(total));
            emit(EventTopic.CHECKOUT, "SALES", t, "sale_id", saleId, "cart_id", cart.id,
                    "customer_id", cart.customerId, "order_status", "Pending", "total_amount", money(total),
                    "shipping_address_id", addressId, "billing_address_id", addressId);
            for (CartLine line : cart.lines.values()) {
                var detail = new ShopState.OrderDetail(state.nextOrderDetailId++, saleId, line.productId,
                        line.quantity, line.unitPriceCents, t);
                state.newOrderDetails.add(detail);
                emit(EventTopic.CHECKOUT, "ORDER_DETAILS", t, "sale_id", saleId, "order_detail_id", detail.id(),
                        "product_id", line.productId, "quantity", line.quantity,
                        "unit_price", money(line.unitPriceCents), "total_price", money(line.totalCents()));
            }
            // the payment follows within the checkout's own slot, so it never passes the tick's end
            long slotLen = Math.max(1, length / chosen.size());
            Instant paidAt = t.plusMillis(Math.min(5_000, rng.nextLong(Math.max(1, slotLen / 2))));
            boolean failed = rng.nextDouble() < config.paymentFailureProbability();
            String method = rng.nextBoolean() ? "Credit Card" : "E-Wallet";
            String status = failed ? "Failed" : "Paid";
            String transactionId = new UUID(rng.nextLong(), rng.nextLong()).toString();
            state.newPayments.add(new ShopState.Payment(paymentId, saleId, paidAt, method, status, transactionId));
            emit(EventTopic.CHECKOUT, "MAKE_PAYMENT", paidAt, "sale_id", saleId, "payment_id", paymentId,
                    "payment_method", method, "payment_status", status, "transaction_id", transactionId,
                    "amount", money(total));
            if (failed) {
                // The sale is canceled; the cart stays, so the customer may try again later.
                state.newSales.add(new ShopState.Sale(saleId, cart.customerId, t, "Canceled", total, addressId,
                        null, cart.id));
                emit(EventTopic.CHECKOUT, "SALE_CANCELED", paidAt, "sale_id", saleId, "payment_id", paymentId,
                        "customer_id", cart.customerId, "reason", "payment_failed");
            } else {
                state.newSales.add(new ShopState.Sale(saleId, cart.customerId, t, "Completed", total, addressId,
                        paymentId, cart.id));
                emit(EventTopic.CHECKOUT, "SUCCESS_SALE", paidAt, "sale_id", saleId, "payment_id", paymentId,
                        "transaction_id", transactionId, "customer_id", cart.customerId,
                        "total_amount", money(total));
                deleteCart(cart, "checkout", paidAt);
            }
        }
    }

    /** Every purgeEveryDays simulated days, carts untouched for that long are dropped and their stock returned. */
    private void purgeIfDue(Instant tickStart) {
        long day = Math.floorDiv(tickStart.getEpochSecond(), 86_400L);
        if (day % config.purgeEveryDays() != 0 || day == lastPurgeDay) {
            return;
        }
        lastPurgeDay = day; // a repeat after a restart is harmless: only long-stale carts go
        Instant staleBefore = tickStart.minus(Duration.ofDays(config.purgeEveryDays()));
        List<Cart> stale = state.carts.values().stream().filter(c -> c.updatedAt.isBefore(staleBefore)).toList();
        for (Cart cart : stale) {
            for (CartLine line : List.copyOf(cart.lines.values())) {
                changeStock(state.products.get(line.productId), line.quantity, "purge", cart.id, tickStart);
            }
            deleteCart(cart, "purge", tickStart);
        }
    }

    private void deleteCart(Cart cart, String reason, Instant t) {
        state.carts.remove(cart.id);
        state.cartByCustomer.remove(cart.customerId);
        state.dirtyCarts.remove(cart);
        if (cart.persisted) {
            state.deletedCartIds.add(cart.id);
        }
        emit(EventTopic.STORE, "DELETE_CART", t, "cart_id", cart.id, "customer_id", cart.customerId,
                "reason", reason);
    }

    private void touch(Cart cart, Instant t) {
        cart.updatedAt = t;
        state.dirtyCarts.add(cart);
    }

    private void changeStock(Product product, int delta, String reason, Integer cartId, Instant t) {
        product.stock += delta;
        if (product.stock < 0) {
            throw new IllegalStateException("stock of product " + product.id + " would go negative");
        }
        product.updatedAt = t;
        state.dirtyProducts.add(product);
        emit(EventTopic.STOCK, "STOCK_CHANGED", t, "product_id", product.id, "delta", delta,
                "stock_level", product.stock, "reason", reason, "cart_id", cartId);
    }

    private int addressOf(int customerId) {
        int pos = java.util.Arrays.binarySearch(state.customerIds, customerId);
        return state.customerAddressIds[pos];
    }

    private void emit(EventTopic topic, String type, Instant t, Object... keyValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            fields.put((String) keyValues[i], keyValues[i + 1]);
        }
        events.add(new ShopEvent(topic, ShopEvent.eventId(state.nextEventSeq++), type, t, fields));
    }

    static BigDecimal money(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }

    /** The opening stock of every product, as events, so a consumer can rebuild levels from the stream alone. */
    static List<ShopEvent> initialStock(ShopState state, Instant t) {
        List<ShopEvent> out = new ArrayList<>();
        for (Product p : state.products.values()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("product_id", p.id);
            fields.put("delta", p.stock);
            fields.put("stock_level", p.stock);
            fields.put("reason", "initial");
            fields.put("cart_id", null);
            out.add(new ShopEvent(EventTopic.STOCK, ShopEvent.eventId(state.nextEventSeq++), "STOCK_CHANGED", t,
                    fields));
        }
        return out;
    }
}
