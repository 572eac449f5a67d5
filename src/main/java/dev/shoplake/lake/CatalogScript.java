package dev.shoplake.lake;

import java.util.function.Predicate;

/**
 * The lake's tables by name, as SQL any Spark with Delta can run (a user's own spark-sql,
 * spark-shell or notebook, and {@link LakeSession} itself): one CREATE SCHEMA per layer and one
 * CREATE TABLE ... USING delta LOCATION per table, from {@link LakeTables}. Metadata only: Delta
 * keeps the schema in each table's log, so the statements are safe to run again (IF NOT EXISTS)
 * and never touch data.
 */
public final class CatalogScript {
    private CatalogScript() {
    }

    /**
     * @param lakeRoot the lake as the user's Spark sees it (an absolute path, s3a://, hdfs://)
     * @param exists   which tables the lake holds now (a CREATE TABLE over a path with no Delta
     *                 table fails, so tables not written yet are listed as comments)
     */
    public static String forLake(String lakeRoot, Predicate<TableSpec> exists) {
        String root = TableSpec.stripSlash(lakeRoot);
        StringBuilder sql = new StringBuilder()
                .append("-- shoplake catalog for ").append(root).append(" (generated from LakeTables by 'lakehouse catalog')\n")
                .append("-- Run it with: spark-sql -i <this file>, or statement by statement in a notebook.\n");
        for (String layer : LakeTables.LAYERS) {
            sql.append(schemaStatement(layer, root)).append(";\n");
        }
        for (TableSpec spec : LakeTables.all()) {
            sql.append(exists.test(spec) ? "" : "-- not in the lake yet: ").append(tableStatement(spec, root))
                    .append(";\n");
        }
        return sql.toString();
    }

    static String schemaStatement(String layer, String lakeRoot) {
        return "CREATE SCHEMA IF NOT EXISTS " + layer + " LOCATION '" + quote(TableSpec.stripSlash(lakeRoot) + "/"
                + layer) + "'";
    }

    static String tableStatement(TableSpec spec, String lakeRoot) {
        return "CREATE TABLE IF NOT EXISTS " + spec.qualifiedName() + " USING delta LOCATION '"
                + quote(spec.path(lakeRoot)) + "'";
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'");
    }
}
