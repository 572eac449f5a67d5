package dev.shoplake.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * The bench's yardstick: the batch's transformations (resource {@code bench/duckdb_gold.sql}) run
 * by DuckDB in-process on the same source rows, exported with PostgreSQL's COPY as CSV. Timestamps
 * are exported in UTC, enums as text; {@code customers.password_hash} is never exported.
 */
public final class DuckDbYardstick {
    /** The source tables the SQL reads, and the image of the carts the delete log holds. */
    private static final List<String> TABLES = List.of("categories", "customers", "products", "shopping_carts",
            "sales", "order_details", "payments", "deleted_rows");

    public record Result(long rowsExported, double exportSeconds, double loadSeconds, double transformSeconds,
                         Map<String, String> checks) {
        public double totalSeconds() {
            return exportSeconds + loadSeconds + transformSeconds;
        }
    }

    private DuckDbYardstick() {
    }

    /** Exports, loads and transforms; {@code checks}: per gold table, "rows:sum" to compare with Spark's. */
    public static Result run(Connection pg, Path workDir) throws SQLException, IOException {
        Files.createDirectories(workDir);
        Map<String, String> exports = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String table : TABLES) {
            List<String[]> columns = columns(pg, table);
            List<String> select = new ArrayList<>();
            StringBuilder duck = new StringBuilder();
            for (String[] c : columns) {
                select.add(exported(c[0], c[1]));
                duck.append(duck.length() == 0 ? "" : ", ").append("'").append(c[0]).append("': '")
                        .append(duckType(c[1])).append("'");
            }
            exports.put(table, "SELECT " + String.join(", ", select) + " FROM public." + table);
            types.put(table, duck.toString());
        }
        exports.put("deleted_carts", """
                SELECT (old_row->>'id')::int AS id, (old_row->>'customer_id')::int AS customer_id,
                       (old_row->>'created_at')::timestamptz AT TIME ZONE 'UTC' AS created_at,
                       (old_row->>'updated_at')::timestamptz AT TIME ZONE 'UTC' AS updated_at
                FROM public.deleted_rows WHERE table_name = 'shopping_carts' AND old_row IS NOT NULL""");
        types.put("deleted_carts", "'id': 'INTEGER', 'customer_id': 'INTEGER', 'created_at': 'TIMESTAMP', "
                + "'updated_at': 'TIMESTAMP'");

        long started = System.nanoTime();
        long rows = 0;
        CopyManager copy = new CopyManager(pg.unwrap(BaseConnection.class));
        for (Map.Entry<String, String> e : exports.entrySet()) {
            try (OutputStream out = Files.newOutputStream(workDir.resolve(e.getKey() + ".csv"))) {
                rows += copy.copyOut("COPY (" + e.getValue() + ") TO STDOUT WITH (FORMAT csv, HEADER)", out);
            }
        }
        double exportSeconds = (System.nanoTime() - started) / 1e9;

        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            started = System.nanoTime();
            for (Map.Entry<String, String> e : types.entrySet()) {
                st.execute("CREATE TABLE " + e.getKey() + " AS SELECT * FROM read_csv('"
                        + workDir.resolve(e.getKey() + ".csv").toAbsolutePath() + "', header = true, columns = {"
                        + e.getValue() + "})");
            }
            double loadSeconds = (System.nanoTime() - started) / 1e9;
            started = System.nanoTime();
            for (String statement : statements()) {
                st.execute(statement);
            }
            double transformSeconds = (System.nanoTime() - started) / 1e9;
            Map<String, String> checks = new LinkedHashMap<>();
            for (Map.Entry<String, String> check : CHECKS.entrySet()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) || ':' || coalesce(CAST(sum(" + check.getValue()
                        + ") AS VARCHAR), '0') FROM " + check.getKey())) {
                    rs.next();
                    checks.put(check.getKey(), rs.getString(1));
                }
            }
            return new Result(rows, exportSeconds, loadSeconds, transformSeconds, checks);
        }
    }

    /** What both engines must agree on: rows and a sum, per gold table. */
    public static final Map<String, String> CHECKS = Map.of(
            "fact_sales", "total_amount", "fact_order_details", "quantity", "fact_payments", "amount",
            "dim_cart", "cart_id", "dim_customer", "customer_id", "dim_product", "product_id", "dim_date", "date_key");

    private static List<String> statements() throws IOException {
        String sql;
        try (var in = DuckDbYardstick.class.getResourceAsStream("/bench/duckdb_gold.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sql.split("\n")) {
            if (line.strip().startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (line.stripTrailing().endsWith(";")) {
                out.add(current.toString().strip().replaceAll(";$", ""));
                current.setLength(0);
            }
        }
        return out;
    }

    private static List<String[]> columns(Connection pg, String table) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = pg.prepareStatement("""
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    // never leaves the source; the row image is read through deleted_carts
                    if (!name.equals("password_hash") && !name.equals("old_row")) {
                        out.add(new String[] {name, rs.getString(2)});
                    }
                }
            }
        }
        return out;
    }

    private static String exported(String column, String pgType) {
        String q = "\"" + column + "\"";
        return switch (pgType) {
            case "timestamp with time zone" -> q + " AT TIME ZONE 'UTC' AS " + q;
            case "USER-DEFINED" -> q + "::text AS " + q;
            default -> q;
        };
    }

    private static String duckType(String pgType) {
        return switch (pgType) {
            case "integer" -> "INTEGER";
            case "bigint" -> "BIGINT";
            case "numeric" -> "DECIMAL(10,2)";
            case "boolean" -> "BOOLEAN";
            case "date" -> "DATE";
            case "timestamp with time zone", "timestamp without time zone" -> "TIMESTAMP";
            default -> "VARCHAR";
        };
    }

    /** What the DuckDB run must agree with: rows and a sum per gold table, from Spark's gold. */
    static java.util.Map<String, String> sparkChecks(org.apache.spark.sql.SparkSession spark) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        CHECKS.forEach((table, sum) -> out.put(table, spark.sql("SELECT CAST(count(*) AS STRING) || ':' || "
                + "coalesce(CAST(sum(" + sum + ") AS STRING), '0') FROM gold." + table).first().getString(0)));
        return out;
    }
}
