package dev.shoplake.lake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructField;

/**
 * Documentation generated from {@link LakeTables}: the table list of the README and the gold star
 * schema diagram in diagrams/. Tests compare the committed files with these, so they cannot drift.
 */
public final class TableDocs {
    private TableDocs() {
    }

    /** Every table: name, grain, keys, partitioning, description and constraints (Markdown). */
    public static String tableList() {
        StringBuilder out = new StringBuilder("| table | grain | keys | partitioned by | description |\n|---|---|---|---|---|\n");
        for (TableSpec spec : LakeTables.all()) {
            out.append("| `").append(spec.qualifiedName()).append("` | ").append(spec.grain()).append(" | ")
                    .append(String.join(", ", spec.keys())).append(" | ").append(String.join(", ", spec.partitionBy()))
                    .append(" | ").append(spec.description())
                    .append(spec.checks().isEmpty() ? "" : "; checks: " + String.join("; ",
                            new java.util.TreeMap<>(spec.checks()).values()))
                    .append(" |\n");
        }
        return out.toString();
    }

    /** Tables the streaming job writes (the rest are the batch's). */
    static final List<TableSpec> STREAM_TABLES = List.of(LakeTables.GOLD_FACT_CART_ACTIVITY,
            LakeTables.GOLD_FACT_PRODUCT_STOCK, LakeTables.GOLD_STOCK_CURRENT, LakeTables.GOLD_LIVE_TRAFFIC,
            LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS,
            LakeTables.BRONZE_EVENTS_QUARANTINE, LakeTables.OPS_STREAM_PROGRESS);

    /**
     * The pipeline as a Mermaid flowchart: the three sources, every lake table in its layer (batch or
     * stream), and the surfaces that read them.
     */
    public static String pipeline() {
        StringBuilder out = new StringBuilder("""
                # Pipeline

                Generated from `LakeTables` by `bin/lakehouse tables --pipeline`; `TableDocsTest` fails when
                this file is stale.

                ```mermaid
                flowchart LR
                  pg[("PostgreSQL ecommerce")]
                  ftp[("FTP: daily support report")]
                  kafka[("Kafka: shop.store, shop.checkout, shop.stock, shop.website")]
                  landing["raw landing zone<br/>landing/support_reports"]
                """);
        List<TableSpec> reports = List.of(LakeTables.BRONZE_SUPPORT_TICKETS, LakeTables.BRONZE_SUPPORT_QUARANTINE,
                LakeTables.BRONZE_REPORT_FILES);
        List<TableSpec> pgBronze = new ArrayList<>(LakeTables.BRONZE_POSTGRES.values());
        pgBronze.add(LakeTables.BRONZE_DELETED_ROWS);
        subgraph(out, "bronze_pg", "bronze: PostgreSQL landings (JDBC, incremental)", pgBronze);
        subgraph(out, "bronze_ftp", "bronze: report landing (ledger, quarantine)", reports);
        subgraph(out, "silver", "silver: current rows, ticket lifecycle", layer("silver"));
        List<TableSpec> goldBatch = new ArrayList<>(layer("gold"));
        goldBatch.removeAll(STREAM_TABLES);
        subgraph(out, "gold", "gold: star schema (batch)", goldBatch);
        subgraph(out, "stream", "gold from the stream (Structured Streaming)", STREAM_TABLES);
        List<TableSpec> ops = new ArrayList<>(layer("ops"));
        ops.removeAll(STREAM_TABLES);
        subgraph(out, "ops", "ops: audit and watermarks", ops);
        out.append("""
                  surfaces["lakehouse sql · dashboard · notebooks · reconcile"]
                  pg --> bronze_pg
                  ftp --> landing --> bronze_ftp
                  bronze_pg --> silver
                  bronze_ftp --> silver
                  silver --> gold
                  kafka --> stream
                  gold -- "dimension versions" --> stream
                  gold --> surfaces
                  stream --> surfaces
                  silver -.-> ops
                  gold -.-> ops
                ```
                """);
        return out.toString();
    }

    private static List<TableSpec> layer(String layer) {
        return LakeTables.all().stream().filter(t -> t.layer().equals(layer)).toList();
    }

    private static void subgraph(StringBuilder out, String id, String title, List<TableSpec> tables) {
        out.append("  subgraph ").append(id).append("[\"").append(title).append("\"]\n");
        for (TableSpec t : tables) {
            out.append("    ").append(t.layer()).append('_').append(t.name()).append("[\"")
                    .append(t.qualifiedName()).append("\"]\n");
        }
        out.append("  end\n");
    }

    /**
     * The gold star schema as a Mermaid ER diagram: every gold table with its columns (PK for its
     * keys, FK for a column that is another gold table's single key; date keys point at dim_date).
     */
    public static String goldErd() {
        Map<String, TableSpec> byKey = new LinkedHashMap<>();
        List<TableSpec> gold = new ArrayList<>();
        for (TableSpec spec : LakeTables.all()) {
            if (spec.layer().equals("gold") && spec.schema() != null) {
                gold.add(spec);
                if (spec.keys().size() == 1 && spec.name().startsWith("dim_")) {
                    byKey.put(spec.keys().get(0), spec);
                }
            }
        }
        StringBuilder entities = new StringBuilder();
        StringBuilder relations = new StringBuilder();
        for (TableSpec spec : gold) {
            entities.append("  ").append(spec.name()).append(" {\n");
            for (StructField f : spec.schema().fields()) {
                TableSpec target = references(spec, f.name(), byKey);
                String marker = spec.keys().contains(f.name()) ? " PK" : target != null ? " FK" : "";
                entities.append("    ").append(f.dataType().typeName().replaceAll("[(),]", "_").replaceAll("_+$", ""))
                        .append(' ').append(f.name()).append(marker).append('\n');
                if (target != null) {
                    relations.append("  ").append(target.name()).append(" ||--o{ ").append(spec.name()).append(" : ")
                            .append(f.name()).append('\n');
                }
            }
            entities.append("  }\n");
        }
        return "# Gold star schema\n\nGenerated from `dev.shoplake.lake.LakeTables` (`bin/lakehouse tables --erd`); "
                + "a test keeps this file equal to it.\n\n```mermaid\nerDiagram\n" + relations + entities + "```\n";
    }

    private static TableSpec references(TableSpec spec, String column, Map<String, TableSpec> dimsByKey) {
        if (spec.keys().contains(column)) {
            return null;
        }
        if (column.equals("date_key") || column.endsWith("_date_key")) {
            return LakeTables.GOLD_DIM_DATE;
        }
        TableSpec dim = dimsByKey.get(column);
        return dim == null || dim == spec ? null : dim;
    }
}
