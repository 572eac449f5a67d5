package dev.shoplake.query;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Statements rewritten to read the warehouse as of one moment, in a session (local or a thin one).
 * Per table, once: Delta resolves the moment itself (the plan of a read {@code TIMESTAMP AS OF} it,
 * no job); when Delta says the moment is after the table's last commit, the table has not moved
 * since and is read at its last version ({@code DESCRIBE HISTORY ... LIMIT 1}, from the log). Kept
 * per table, since what a table was at a past moment does not change.
 */
public final class AsOfReader {
    private final SparkSession spark;
    private final Set<String> tables;
    private final String moment;
    private final Map<String, String> clauses = new ConcurrentHashMap<>();

    /** @param moment as {@link AsOf#moment} gives it */
    public AsOfReader(SparkSession spark, Set<String> tables, String moment) {
        this.spark = spark;
        this.tables = Set.copyOf(tables);
        this.moment = moment;
    }

    public String moment() {
        return moment;
    }

    public String rewrite(String sql) {
        return AsOf.rewrite(sql, tables, table -> clauses.computeIfAbsent(table, this::clause));
    }

    private String clause(String table) {
        String atMoment = AsOf.atMoment(moment);
        try {
            spark.sql("SELECT * FROM " + table + " " + atMoment).schema(); // analysed only: Delta finds the version
            return atMoment;
        } catch (Exception e) { // AnalysisException: checked, thrown unchecked by Scala
            if (!String.valueOf(e.getMessage()).contains("DELTA_TIMESTAMP_GREATER_THAN_COMMIT")) {
                return atMoment; // e.g. a moment before the table existed: the query says so itself
            }
            Row last = spark.sql("DESCRIBE HISTORY " + table + " LIMIT 1").select("version").first();
            return AsOf.atVersion(last.getLong(0));
        }
    }
}
