package dev.shoplake.lake;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/**
 * One table of the lake: where it lives, its schema, its keys and grain, its constraints and what it
 * is for. Everything else (DDL, registration, docs) is derived from these.
 *
 * @param schema the table's columns; null when the table follows its source (bronze landings of
 *               PostgreSQL, which take new source columns as they come)
 * @param checks Delta CHECK constraints, name to SQL expression
 */
public record TableSpec(String layer, String name, StructType schema, List<String> keys, String grain,
                        List<String> partitionBy, Map<String, String> checks, String description) {

    public String qualifiedName() {
        return layer + "." + name;
    }

    public String path(String lakeRoot) {
        return stripSlash(lakeRoot) + "/" + layer + "/" + name;
    }

    static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
