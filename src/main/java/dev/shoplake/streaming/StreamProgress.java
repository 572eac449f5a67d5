package dev.shoplake.streaming;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.ops.JobRun;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ops.stream_progress, one row per micro-batch: Spark's progress (input rows, duration, rates,
 * watermark) with what the micro-batch itself reported (rows written per table, latency).
 * Written after micro-batches end, off the stream's thread, at most one commit every few seconds
 * (the stream commits every second), each micro-batch once, wherever the stream runs.
 */
final class StreamProgress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProgress.class);
    private static final long EVERY_MS = 5_000;

    private record Outcome(Map<String, Long> rowsWritten, long maxLatencyMs) {
    }

    private final DeltaWriter writer;
    private final Supplier<List<StreamingQuery>> queries;
    /** Per (query id, batch id): what the micro-batch reported, until its row is written. */
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Long> written = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stream-progress");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile long writtenAt;
    private SparkSession session;
    private StreamingQueryListener listener;

    StreamProgress(DeltaWriter writer, Supplier<List<StreamingQuery>> queries) {
        this.writer = writer;
        this.queries = queries;
    }

    /** Records progress as the queries of {@code streams} end their micro-batches. */
    void follow(SparkSession streams) {
        this.session = streams;
        listener = new Listener();
        streams.streams().addListener(listener);
    }

    /** What micro-batch {@code batchId} of query {@code queryId} wrote, for its row. */
    void reported(String queryId, long batchId, Map<String, Long> rowsWritten, long latencyMs) {
        outcomes.put(queryId + "/" + batchId, new Outcome(rowsWritten, latencyMs));
    }

    /** Appends each query's new micro-batches to ops.stream_progress, at most once per batch. */
    synchronized void record() {
        for (StreamingQuery q : queries.get()) {
            String queryId = q.id().toString();
            long last = written.getOrDefault(queryId, -1L);
            Map<Long, StreamingQueryProgress> batches = new TreeMap<>();
            for (StreamingQueryProgress p : q.recentProgress()) {
                if (p.batchId() > last && p.durationMs().containsKey("addBatch")) {
                    batches.put(p.batchId(), p);
                }
            }
            if (batches.isEmpty()) {
                continue;
            }
            List<Row> rows = new ArrayList<>();
            for (StreamingQueryProgress p : batches.values()) {
                Outcome outcome = outcomes.remove(queryId + "/" + p.batchId());
                long dropped = 0;
                for (var op : p.stateOperators()) {
                    dropped += op.numRowsDroppedByWatermark();
                }
                String watermark = p.eventTime().get("watermark");
                rows.add(RowFactory.create(q.name(), queryId, p.batchId(), Timestamp.from(Instant.parse(p.timestamp())),
                        p.numInputRows(), outcome == null ? null : outcome.rowsWritten(),
                        p.batchDuration(), finite(p.inputRowsPerSecond()), finite(p.processedRowsPerSecond()),
                        outcome == null || outcome.maxLatencyMs() < 0 ? null : outcome.maxLatencyMs(),
                        watermark == null ? null : Timestamp.from(Instant.parse(watermark)), dropped));
            }
            long newest = batches.keySet().stream().max(Long::compare).orElseThrow();
            // written in the stream's session: compacted as the stream's tables are
            writer.appendOnce(LakeTables.OPS_STREAM_PROGRESS,
                    session.createDataFrame(rows, LakeTables.OPS_STREAM_PROGRESS.schema()), "stream_progress:" + queryId,
                    newest);
            written.put(queryId, newest);
        }
    }

    /** Stops following (the last progress is the caller's {@link #record}), after a write under way. */
    @Override
    public void close() {
        if (listener != null) {
            session.streams().removeListener(listener);
        }
        thread.shutdown();
        try {
            thread.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /** One write at a time; micro-batches that end while one is written go into the next. */
    private final class Listener extends StreamingQueryListener {
        @Override
        public void onQueryStarted(QueryStartedEvent event) {
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            if (pending.compareAndSet(false, true)) {
                try {
                    long wait = Math.max(0, writtenAt + EVERY_MS - System.currentTimeMillis());
                    thread.schedule(() -> {
                        pending.set(false);
                        writtenAt = System.currentTimeMillis();
                        try {
                            record();
                        } catch (RuntimeException e) {
                            LOG.warn("recording stream progress failed (the next micro-batch tries again): {}",
                                    JobRun.errorLine(e));
                        }
                    }, wait, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopping) {
                    pending.set(false); // the stream records the last progress itself
                }
            }
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
        }
    }
}
