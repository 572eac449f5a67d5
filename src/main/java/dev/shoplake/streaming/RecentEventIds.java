package dev.shoplake.streaming;

import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.apache.spark.sql.Row;

/**
 * The event ids a fact table holds from some moment on, kept on the driver by the table's one
 * writer, so that a message the relay sent twice is caught without a scan of the table in every
 * micro-batch. It holds every id of the table whose event time is at or after {@link #from}: read
 * from the table once (when the stream starts, or when an event older than that arrives), then
 * kept up to date with each commit. An event older than what can be held (more than
 * {@code capacity} ids) is not covered: its batch falls back to the table.
 */
final class RecentEventIds {
    private final long spanMs;
    private final int capacity;
    private final Map<String, Long> times = new HashMap<>();
    /** Every id of the table with an event time at or after this (epoch ms) is held; Long.MAX_VALUE: none known. */
    private long from = Long.MAX_VALUE;

    /**
     * @param spanMs   how far before a batch's oldest event the ids are read when they must be
     * @param capacity the most ids held; the oldest are forgotten beyond it
     */
    RecentEventIds(long spanMs, int capacity) {
        this.spanMs = spanMs;
        this.capacity = capacity;
    }

    /**
     * Makes the ids of events from {@code oldest} on known, reading the table's ids from a span
     * before it (through {@code read}: the ids and event times of the table's rows at or after an
     * epoch ms, and before the moment already covered, at most {@code capacity + 1} of them).
     *
     * @return whether they are now known; false when more than the capacity would be
     */
    boolean cover(Timestamp oldest, LongFunction<List<Row>> read) {
        if (oldest.getTime() >= from) {
            return true;
        }
        long start = oldest.getTime() - spanMs;
        List<Row> older = read.apply(start);
        if (older.size() + times.size() > capacity) {
            return false;
        }
        older.forEach(r -> times.put(r.getString(0), r.getTimestamp(1).getTime()));
        from = start;
        return true;
    }

    /** The moment from which ids are known (exclusive of nothing before it), for {@link #cover}'s reads. */
    long from() {
        return from;
    }

    boolean contains(String eventId) {
        return times.containsKey(eventId);
    }

    /** Records ids the table now holds (a commit of this writer), forgetting the oldest beyond the capacity. */
    void add(List<Row> events) {
        if (from == Long.MAX_VALUE) {
            return; // nothing known yet: the first cover() reads them from the table
        }
        for (Row r : events) {
            long t = r.<Timestamp>getAs("event_time").getTime();
            if (t >= from) {
                times.put(r.getAs("event_id"), t);
            }
        }
        if (times.size() > capacity) {
            long[] sorted = times.values().stream().mapToLong(Long::longValue).sorted().toArray();
            from = sorted[sorted.length / 2];
            times.values().removeIf(t -> t < from);
        }
    }

    /** Forgets everything (a write whose outcome is unknown): the next batch reads from the table again. */
    void forget() {
        times.clear();
        from = Long.MAX_VALUE;
    }
}
