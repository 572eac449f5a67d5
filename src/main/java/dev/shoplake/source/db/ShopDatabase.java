package dev.shoplake.source.db;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** The operational shop database: connections, schema migrations, and row counts. */
public final class ShopDatabase {
    /** The shop's nine tables, in dependency order. */
    public static final List<String> TABLES = List.of(
            "categories", "customers", "addresses", "products", "shopping_carts", "cart_items",
            "sales", "order_details", "payments");

    private final LakehouseConfig.Postgres config;

    public ShopDatabase(LakehouseConfig.Postgres config) {
        this.config = config;
    }

    public LakehouseConfig.Postgres config() {
        return config;
    }

    public Connection connect() {
        Properties props = new Properties();
        props.setProperty("user", config.user());
        props.setProperty("password", config.requirePassword());
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "shoplake");
        try {
            return DriverManager.getConnection(config.url(), props);
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    private UnreachableException unreachable(Exception e) {
        return new UnreachableException("cannot connect to PostgreSQL at " + config.url() + " as " + config.user()
                + " (spark.lakehouse.pg.url): " + firstLine(e.getMessage()), e);
    }

    /** Applies the versioned migrations in {@code db/migration}; a no-op when they are all applied. */
    public int migrate() {
        try {
            return Flyway.configure()
                    .dataSource(config.url(), config.user(), config.requirePassword())
                    .locations("classpath:db/migration")
                    .load()
                    .migrate()
                    .migrationsExecuted;
        } catch (FlywayException e) {
            throw unreachable(e);
        }
    }

    /** Rows per shop table, in {@link #TABLES} order. */
    public Map<String, Long> rowCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("counting rows failed: " + e.getMessage(), e);
        }
        return counts;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
