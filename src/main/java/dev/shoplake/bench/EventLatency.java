package dev.shoplake.bench;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.split;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Per event, how long after its own {@code event_time} the first Delta commit that holds it was made:
 * each stream table's log says which files each append ({@code WRITE}) added and when it committed;
 * each event is found in those files by name. A compaction or a late-key update that rewrote a file
 * later is no append, so an event counts from the commit that first made it visible.
 */
final class EventLatency {
    private EventLatency() {
    }

    /** The latency percentiles, in ms: events, p50, p95, p99, max; of the events whose time is in [from, to). */
    static Row of(SparkSession spark, List<String> tablePaths, long fromMs, long toMs) {
        Dataset<Row> firstCommits = null;
        for (String table : tablePaths) {
            Dataset<Row> log = spark.read().json(table + "/_delta_log/*.json").withColumn("commit", input_file_name());
            Dataset<Row> appends = log.where(col("commitInfo.operation").equalTo("WRITE"))
                    .select(col("commit"), col("commitInfo.timestamp").as("committed_ms"));
            Dataset<Row> added = log.where(col("add").isNotNull()).select(col("commit"), fileName(col("add.path")).as("file"));
            // every data file ever written is still on disk (the bench never vacuums): removed ones too
            Dataset<Row> events = spark.read().parquet(table).select(col("event_id"), col("event_time"),
                    fileName(col("_metadata.file_path")).as("file"));
            Dataset<Row> held = events.join(added.join(appends, "commit"), "file")
                    .groupBy("event_id").agg(min("event_time").as("event_time"), min("committed_ms").as("committed_ms"));
            firstCommits = firstCommits == null ? held : firstCommits.unionByName(held);
        }
        Column latencyMs = col("committed_ms").minus(col("event_time").cast("double").multiply(1000)).cast("long");
        return firstCommits.where(col("event_time").geq(new java.sql.Timestamp(fromMs))
                        .and(col("event_time").lt(new java.sql.Timestamp(toMs))))
                .select(latencyMs.as("latency_ms"))
                .agg(count("*"), percentile_approx(col("latency_ms"), array(lit(0.5), lit(0.95), lit(0.99)), lit(10000)),
                        max("latency_ms"))
                .first();
    }

    private static Column fileName(Column path) {
        return element_at(split(path, "/"), -1);
    }
}
