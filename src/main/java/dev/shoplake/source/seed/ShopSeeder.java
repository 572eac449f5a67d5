package dev.shoplake.source.seed;

import dev.shoplake.config.StateException;
import dev.shoplake.source.db.PgCopy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import net.datafaker.Faker;

/**
 * Seeds the shop's master data at a scale factor, with COPY. SF0.01 is the original: the 10
 * categories, 50 products (5 a category, price 0-20, stock 20-200) and 200 customers with one
 * address each. Sizes grow log-linearly through SF1 = 100k customers and 10k products.
 */
public final class ShopSeeder {
    public static final List<String> CATEGORIES = List.of("Electronics", "Home Appliances", "Clothing",
            "Sports Equipment", "Beauty Products", "Toys & Games", "Books", "Furniture", "Groceries",
            "Health & Wellness");

    private static final double CUSTOMER_EXPONENT = Math.log(500) / Math.log(100);
    private static final double PRODUCT_EXPONENT = Math.log(200) / Math.log(100);

    private ShopSeeder() {
    }

    public static int customersAt(double scaleFactor) {
        return (int) Math.max(1, Math.round(100_000 * Math.pow(scaleFactor, CUSTOMER_EXPONENT)));
    }

    public static int productsAt(double scaleFactor) {
        int n = (int) Math.max(CATEGORIES.size(), Math.round(10_000 * Math.pow(scaleFactor, PRODUCT_EXPONENT)));
        return n - n % CATEGORIES.size(); // the same number in every category
    }

    /** Rows written per table. */
    public record Seeded(int categories, int products, int customers, int addresses) {
    }

    /**
     * Writes the seed inside the caller's transaction and sets the simulator's clock to {@code start}.
     * Refuses a database that is already seeded: seeding is not a way to reset data.
     */
    public static Seeded seed(Connection c, double scaleFactor, long seed, Instant start) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT seed, scale_factor FROM simulator.state WHERE id = 1")) {
            if (rs.next()) {
                throw new StateException("the shop database is already seeded (seed " + rs.getLong(1)
                        + ", scale factor " + rs.getBigDecimal(2).stripTrailingZeros().toPlainString() + ")");
            }
        }
        Random random = new Random(seed);
        NamePools names = new NamePools(new Faker(Locale.US, new Random(seed)));
        int customers = customersAt(scaleFactor);
        int products = productsAt(scaleFactor);
        Instant history = start.minus(Duration.ofDays(730));

        try (PgCopy copy = PgCopy.into(c, "categories", List.of("id", "name", "description", "created_at",
                "updated_at"))) {
            for (int i = 0; i < CATEGORIES.size(); i++) {
                copy.row(i + 1, CATEGORIES.get(i), "All things " + CATEGORIES.get(i).toLowerCase(Locale.ROOT), history,
                        history);
            }
            copy.finish();
        }
        try (PgCopy copy = PgCopy.into(c, "products", List.of("id", "name", "description", "price",
                "stock_quantity", "category_id", "image_url", "created_at", "updated_at"))) {
            for (int id = 1; id <= products; id++) {
                Instant created = between(random, history, start);
                // price uniform in (0, 20] as in the original, never zero
                BigDecimal price = BigDecimal.valueOf(1 + random.nextInt(2000), 2);
                copy.row(id, names.product(random), names.description(random), price,
                        20 + random.nextInt(181), 1 + (id - 1) % CATEGORIES.size(),
                        "https://images.example.com/products/" + id + ".jpg", created, created);
            }
            copy.finish();
        }
        try (PgCopy people = PgCopy.into(c, "customers", List.of("id", "first_name", "last_name", "email", "phone",
                "password_hash", "date_of_birth", "created_at", "updated_at"))) {
            for (int id = 1; id <= customers; id++) {
                String first = NamePools.pick(names.firstNames, random);
                String last = NamePools.pick(names.lastNames, random);
                Instant created = between(random, history, start);
                people.row(id, first, last, email(first, last, id), phone(random), passwordHash(random),
                        LocalDate.of(1950, 1, 1).plusDays(random.nextInt(20_800)), created, created);
            }
            people.finish();
        }
        try (PgCopy addresses = PgCopy.into(c, "addresses", List.of("id", "customer_id", "street", "city", "state",
                "country", "postal_code", "is_default_shipping", "is_default_billing", "created_at", "updated_at"))) {
            for (int id = 1; id <= customers; id++) {
                String[] place = NamePools.pick(names.places, random);
                addresses.row(id, id, (1 + random.nextInt(9_999)) + " " + NamePools.pick(names.streets, random), place[0],
                        place[1], "United States", String.format("%05d", random.nextInt(100_000)), true, true, history,
                        history);
            }
            addresses.finish();
        }
        try (Statement st = c.createStatement()) {
            for (String table : List.of("categories", "products", "customers", "addresses")) {
                st.execute("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), (SELECT max(id) FROM "
                        + table + "))");
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO simulator.state (id, seed, scale_factor, clock, last_report) VALUES (1, ?, ?, ?, ?)")) {
            ps.setLong(1, seed);
            ps.setBigDecimal(2, BigDecimal.valueOf(scaleFactor));
            ps.setTimestamp(3, Timestamp.from(start));
            // the first report is that of the first simulated day
            ps.setObject(4, start.atZone(java.time.ZoneOffset.UTC).toLocalDate().minusDays(1));
            ps.executeUpdate();
        }
        return new Seeded(CATEGORIES.size(), products, customers, customers);
    }

    /**
     * Realistic values drawn once from datafaker and then combined at random: datafaker resolves an
     * expression per call, far too slow for 100k customers, and the pools keep the seed fast.
     */
    private static final class NamePools {
        private static final int SIZE = 400;
        final String[] firstNames = new String[SIZE];
        final String[] lastNames = new String[SIZE];
        final String[] streets = new String[SIZE];
        final String[][] places = new String[SIZE][];
        final String[] productNames = new String[SIZE];
        final String[] descriptions = new String[SIZE];

        NamePools(Faker faker) {
            for (int i = 0; i < SIZE; i++) {
                firstNames[i] = faker.name().firstName();
                lastNames[i] = faker.name().lastName();
                streets[i] = faker.address().streetName();
                places[i] = new String[] {faker.address().city(), faker.address().state()};
                productNames[i] = faker.commerce().productName();
                descriptions[i] = faker.lorem().sentence(8);
            }
        }

        String product(Random random) {
            return pick(productNames, random);
        }

        String description(Random random) {
            return pick(descriptions, random);
        }

        static <T> T pick(T[] pool, Random random) {
            return pool[random.nextInt(pool.length)];
        }
    }

    private static Instant between(Random random, Instant from, Instant to) {
        long span = Duration.between(from, to).toSeconds();
        return from.plusSeconds((long) (random.nextDouble() * span));
    }

    static String email(String first, String last, int id) {
        String local = (first + "." + last).toLowerCase(Locale.ROOT).replaceAll("[^a-z.]", "");
        return local + "." + id + "@example.com";
    }

    private static String phone(Random random) {
        return String.format("+1-%03d-%03d-%04d", 200 + random.nextInt(800), random.nextInt(1000),
                random.nextInt(10_000));
    }

    /** A bcrypt-shaped placeholder: the source has a password_hash column; no real password exists. */
    private static String passwordHash(Random random) {
        String alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder("$2b$12$");
        for (int i = 0; i < 53; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
