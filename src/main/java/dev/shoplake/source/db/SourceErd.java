package dev.shoplake.source.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The source database's ERD (Mermaid), read from the live database's own catalog after the
 * migrations ran: tables, columns with their types, primary, unique and foreign keys. So the
 * diagram shows what Flyway built, not what someone remembered to draw.
 */
public final class SourceErd {
    private SourceErd() {
    }

    public static String generate(Connection c) throws SQLException {
        Map<String, Map<String, String>> columns = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT c.table_name, c.column_name, c.udt_name
                FROM information_schema.columns c
                JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                  AND c.table_name <> 'flyway_schema_history'
                ORDER BY c.table_name, c.ordinal_position""")) {
            while (rs.next()) {
                columns.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
            }
        }
        Map<String, String> marks = new TreeMap<>();
        StringBuilder relations = new StringBuilder();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT con.conrelid::regclass::text, att.attname, con.contype, con.confrelid::regclass::text,
                       NOT att.attnotnull
                FROM pg_constraint con
                JOIN pg_namespace n ON n.oid = con.connamespace AND n.nspname = 'public'
                JOIN LATERAL unnest(con.conkey) AS k(attnum) ON true
                JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.attnum
                WHERE con.contype IN ('p', 'u', 'f') AND array_length(con.conkey, 1) = 1
                ORDER BY 1, 2, 3""")) {
            while (rs.next()) {
                String key = rs.getString(1) + "." + rs.getString(2);
                String mark = switch (rs.getString(3)) {
                    case "p" -> "PK";
                    case "u" -> "UK";
                    default -> "FK";
                };
                marks.merge(key, mark, (a, b) -> a.contains(b) ? a : a + ", " + b);
                if (mark.equals("FK")) {
                    relations.append("  ").append(rs.getString(4)).append(rs.getBoolean(5) ? " |o--o{ " : " ||--o{ ")
                            .append(rs.getString(1)).append(" : ").append(rs.getString(2)).append('\n');
                }
            }
        }
        StringBuilder out = new StringBuilder("""
                # Source database (ecommerce)

                Generated from the live database's catalog after the Flyway migrations
                (`src/main/resources/db/migration/`) by `bin/lakehouse tables --source-erd`; `SourceErdIT`
                fails when this file is stale. The simulator's own state lives in the schema `simulator`.

                ```mermaid
                erDiagram
                """);
        out.append(relations);
        columns.forEach((table, cols) -> {
            out.append("  ").append(table).append(" {\n");
            cols.forEach((name, type) -> {
                String mark = marks.get(table + "." + name);
                out.append("    ").append(type).append(' ').append(name).append(mark == null ? "" : " " + mark)
                        .append('\n');
            });
            out.append("  }\n");
        });
        return out.append("```\n").toString();
    }

}
