package dev.shoplake.streaming;

import static org.apache.spark.sql.functions.col;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The stream's traffic per minute, written in two steps so that a micro-batch only appends:
 * {@link #append} adds what a micro-batch counted to gold.live_traffic_increments (one job, under
 * the stream's Delta transaction id: a replayed batch adds nothing); {@link #catchUp}, on the
 * upkeep's cadence, rewrites the days those increments touched in gold.live_traffic_minute (one row
 * per minute) as the sum of all of that day's increments, recording the increments version it took
 * as its own transaction version. A sum over a whole day is the same whenever it is taken, so a
 * catch-up repeated after kill -9 changes nothing.
 */
final class TrafficMinutes {
    /** The transaction id under which gold.live_traffic_minute records the increments version it took. */
    private static final String FEED = "shoplake.live_traffic_minute.from_live_traffic_increments";

    private final DeltaWriter writer;

    TrafficMinutes(DeltaWriter writer) {
        this.writer = writer;
    }

    /**
     * @param events usable traffic events of one micro-batch, each with its minute and contributions ({@link LiveBatch})
     * @return the rows appended (minutes the batch touched); 0 when this batch was applied already
     */
    long append(SparkSession spark, List<Row> events, String appId, long batchId) {
        OptionalLong applied = writer.appliedVersion(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS, appId);
        if (applied.isPresent() && applied.getAsLong() >= batchId) {
            return 0;
        }
        List<Row> rows = new LiveTraffic.Minutes().add(events).increments(appId, batchId);
        writer.appendOnce(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS,
                spark.createDataFrame(rows, LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS.schema()).coalesce(1), appId, batchId);
        return writer.committedRows(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS, appId, batchId);
    }

    /** The increments table's version now: what a live view that read the increments must add after. */
    long incrementsVersion() {
        return writer.version(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS);
    }

    /** @return the minutes rewritten; 0 when gold.live_traffic_minute had caught up already */
    synchronized long catchUp() {
        long through = writer.version(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS);
        OptionalLong from = writer.appliedVersion(LakeTables.GOLD_LIVE_TRAFFIC, FEED);
        if (through < 0 || (from.isPresent() && from.getAsLong() >= through)) {
            return 0;
        }
        Dataset<Row> touched;
        try {
            touched = from.isPresent() ? writer.changes(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS, from.getAsLong(), through)
                    : writer.readAt(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS, through);
        } catch (RuntimeException feedGone) { // commits older than the feed keeps (VACUUM): every day again
            touched = writer.readAt(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS, through);
        }
        List<Integer> days = touched.select("date_key").distinct().collectAsList().stream().map(r -> r.getInt(0)).toList();
        if (days.isEmpty()) { // only compactions since: nothing counted
            return 0;
        }
        Dataset<Row> sums = LiveTraffic.sumPerMinute(writer.readAt(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS, through)
                .where(col("date_key").isin(days.toArray())));
        return writer.replacePartitions(LakeTables.GOLD_LIVE_TRAFFIC, sums, days, FEED, through);
    }
}
