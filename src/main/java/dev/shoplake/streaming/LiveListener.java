package dev.shoplake.streaming;

import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Hears what each micro-batch of the stream committed, in the stream's JVM, right after the
 * commit: a live view (the dashboard) follows the stream without a Spark job of its own. Called
 * on the stream's thread: it must only take the figures and return.
 */
public interface LiveListener {
    /**
     * One committed micro-batch.
     *
     * @param trafficVersion the version of gold.live_traffic_increments that holds {@code minutes}, -1
     *                       when the batch had no traffic
     * @param minutes        the batch's traffic per minute (rows of gold.live_traffic_minute), the
     *                       last hour before its newest event; add them to a view read at an older version
     * @param stock          each product's latest stock change in the batch (product_id, stock_level,
     *                       event_time, stream_position, event_id)
     * @param eventAgesMs    for each usable event of the batch, its age when its tables had committed
     *                       (commit time minus the event's own time)
     */
    record Batch(long batchId, Instant committedAt, long inputRows, Long latencyMs, long trafficVersion,
                 List<Row> minutes, List<Row> stock, long[] eventAgesMs) {
    }

    void onBatch(Batch batch);
}
