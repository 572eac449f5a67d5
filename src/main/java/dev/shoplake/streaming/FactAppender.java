package dev.shoplake.streaming;

import static org.apache.spark.sql.functions.col;

import dev.shoplake.gold.GoldModel;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.TableSpec;
import java.sql.Timestamp;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Appends a micro-batch's facts to one gold fact table, exactly once: a replayed micro-batch is
 * skipped by Delta's transaction id (the stream's checkpoint id and the batch id, in the same
 * commit as the rows), and a message the relay sent twice by its event id, against the ids the
 * table holds ({@link RecentEventIds}, kept on the driver: no scan of the table per batch). One
 * Spark job per append: the rows are a local relation.
 */
final class FactAppender {
    /** How far before a batch's oldest event the table's ids are read, when they must be. */
    private static final long SPAN_MS = 3_600_000L;
    private static final int CAPACITY = 500_000;

    private final DeltaWriter writer;
    private final TableSpec spec;
    private final Function<Dataset<Row>, Dataset<Row>> facts;
    private final RecentEventIds ids = new RecentEventIds(SPAN_MS, CAPACITY);

    /** @param facts the table's rows from keyed events ({@link StreamFacts#cartActivity}, {@link StreamFacts#productStock}) */
    FactAppender(DeltaWriter writer, TableSpec spec, Function<Dataset<Row>, Dataset<Row>> facts) {
        this.writer = writer;
        this.spec = spec;
        this.facts = facts;
    }

    TableSpec spec() {
        return spec;
    }

    /**
     * Appends the facts of {@code events} (usable, keyed, one per event id) not in the table yet.
     *
     * @param frame  the events as a Dataset (see {@link LiveBatch#frame})
     * @return the rows appended; 0 when this batch was applied already
     */
    long append(List<Row> events, Function<List<Row>, Dataset<Row>> frame, String appId, long batchId) {
        java.util.OptionalLong applied = writer.appliedVersion(spec, appId);
        if (applied.isPresent() && applied.getAsLong() >= batchId) {
            ids.add(events);
            return 0;
        }
        try {
            Timestamp oldest = LiveBatch.oldest(events, "event_time", r -> true);
            if (!ids.cover(oldest, this::idsFrom)) {
                // more ids than can be held: the table decides, for this batch's days and times
                long appended = writer.appendNew(spec, facts.apply(frame.apply(events)),
                        col("date_key").isin(LiveBatch.days(events).toArray())
                                .and(col("event_time").between(oldest, LiveBatch.newest(events))), appId, batchId);
                ids.add(events); // the table holds them all now
                return appended;
            }
            List<Row> fresh = events.stream().filter(r -> !ids.contains(r.getAs("event_id"))).toList();
            if (fresh.isEmpty()) {
                return 0; // every one a message sent twice: nothing to commit, a replay finds nothing either
            }
            writer.appendOnce(spec, facts.apply(frame.apply(fresh)).coalesce(1), appId, batchId);
            ids.add(fresh);
            return fresh.size();
        } catch (RuntimeException e) {
            ids.forget(); // whether it committed is unknown: the next batch asks the table
            throw e;
        }
    }

    /** The table's ids and event times from {@code fromMs} on, up to what is already held. */
    private List<Row> idsFrom(long fromMs) {
        Timestamp from = new Timestamp(fromMs);
        var rows = writer.read(spec).where(col("date_key").geq(GoldModel.dateKey(functions.lit(from)))
                .and(col("event_time").geq(from)));
        if (ids.from() != Long.MAX_VALUE) {
            rows = rows.where(col("event_time").lt(new Timestamp(ids.from())));
        }
        return rows.select("event_id", "event_time").limit(CAPACITY + 1).collectAsList();
    }
}
