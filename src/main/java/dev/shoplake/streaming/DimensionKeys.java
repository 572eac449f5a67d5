package dev.shoplake.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.shoplake.gold.GoldModel;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The dimension keys of a micro-batch's events, looked up on the driver: the versions of the
 * customers and products a batch names are read from gold's dimensions once (one Spark job for
 * both, only for ids not held yet) and kept until a dimension moves. The same answer as
 * {@link StreamFacts#keyed} (the version valid at the event's time, -1 where none is yet, null
 * without an id), without a join per micro-batch.
 */
final class DimensionKeys {
    /** Ids held per dimension before the oldest are forgotten. */
    private static final int CAPACITY = 200_000;

    private record Version(Timestamp from, Timestamp to, long key) {
        boolean validAt(Timestamp t) {
            return !from.after(t) && (to == null || t.before(to));
        }
    }

    private final Map<Integer, List<Version>> customers = new HashMap<>();
    private final Map<Integer, List<Version>> products = new HashMap<>();
    private String heldAt = "";

    /**
     * Makes sure the versions of {@code customerIds} and {@code productIds} are held, as of the
     * dimensions' versions {@code versions} ({@link DimensionCache#versions}).
     */
    void load(String versions, Dataset<Row> dimCustomer, Dataset<Row> dimProduct, Collection<Integer> customerIds,
              Collection<Integer> productIds) {
        if (!versions.equals(heldAt) || customers.size() > CAPACITY || products.size() > CAPACITY) {
            customers.clear();
            products.clear();
            heldAt = versions;
        }
        Set<Integer> newCustomers = missing(customers, customerIds);
        Set<Integer> newProducts = missing(products, productIds);
        if (newCustomers.isEmpty() && newProducts.isEmpty()) {
            return;
        }
        Dataset<Row> slice = dimCustomer.where(col("customer_id").isin(newCustomers.toArray()))
                .select(lit("customer").as("dim"), col("customer_id").as("id"), col("valid_from"), col("valid_to"),
                        col("customer_key").as("key"))
                .unionByName(dimProduct.where(col("product_id").isin(newProducts.toArray()))
                        .select(lit("product").as("dim"), col("product_id").as("id"), col("valid_from"), col("valid_to"),
                                col("product_key").as("key")));
        newCustomers.forEach(id -> customers.put(id, new ArrayList<>()));
        newProducts.forEach(id -> products.put(id, new ArrayList<>()));
        for (Row r : slice.collectAsList()) {
            (r.getString(0).equals("customer") ? customers : products).get(r.getInt(1))
                    .add(new Version(r.getTimestamp(2), r.getTimestamp(3), r.getLong(4)));
        }
    }

    /** The customer version valid at {@code at}: its key, -1 when gold has none yet, null without a customer. */
    Long customerKey(Integer customerId, Timestamp at) {
        return key(customers, customerId, at);
    }

    /** The product version valid at {@code at}: its key, -1 when gold has none yet, null without a product. */
    Long productKey(Integer productId, Timestamp at) {
        return key(products, productId, at);
    }

    private static Long key(Map<Integer, List<Version>> held, Integer id, Timestamp at) {
        if (id == null) {
            return null;
        }
        for (Version v : held.getOrDefault(id, List.of())) {
            if (v.validAt(at)) {
                return v.key();
            }
        }
        return GoldModel.UNKNOWN_KEY;
    }

    private static Set<Integer> missing(Map<Integer, List<Version>> held, Collection<Integer> ids) {
        Set<Integer> out = new TreeSet<>();
        for (Integer id : ids) {
            if (id != null && !held.containsKey(id)) {
                out.add(id);
            }
        }
        return out;
    }
}
