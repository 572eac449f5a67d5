package dev.shoplake.streaming;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.TableSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Gold's dimensions as the stream joins them: read once per Delta version and kept in memory
 * until the batch job commits a new one (a few times a day), instead of read in every micro-batch.
 * Asking costs one look at the table's log.
 */
final class DimensionCache {
    private record Cached(long version, Dataset<Row> rows) {
    }

    private final SparkSession spark;
    private final DeltaWriter lake;
    private final Map<String, Cached> cached = new HashMap<>();

    DimensionCache(SparkSession spark, DeltaWriter lake) {
        this.spark = spark;
        this.lake = lake;
    }

    /** The dimension's {@code columns} as of its newest version; no rows while the table does not exist. */
    synchronized Dataset<Row> get(TableSpec spec, StructType columns) {
        long version = lake.version(spec);
        Cached held = cached.get(spec.qualifiedName());
        if (held != null && held.version() == version) {
            return held.rows();
        }
        if (held != null) {
            held.rows().unpersist();
        }
        Dataset<Row> rows = version < 0 ? spark.createDataFrame(List.of(), columns)
                : lake.readAt(spec, version).select(columns.fieldNames()[0], java.util.Arrays.copyOfRange(
                        columns.fieldNames(), 1, columns.fieldNames().length)).cache();
        cached.put(spec.qualifiedName(), new Cached(version, rows));
        return rows;
    }

    /** The versions held, one per dimension asked for so far: it changes when any of them moved. */
    synchronized String versions() {
        return new java.util.TreeMap<>(cached).entrySet().stream()
                .map(e -> e.getKey() + "@" + e.getValue().version())
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** Whether none of the dimensions asked for so far has a table yet. */
    synchronized boolean noneExists() {
        return cached.values().stream().allMatch(c -> c.version() < 0);
    }

    synchronized void clear() {
        cached.values().forEach(c -> c.rows().unpersist());
        cached.clear();
    }
}
