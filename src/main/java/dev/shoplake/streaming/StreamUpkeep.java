package dev.shoplake.streaming;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableMaintenance;
import dev.shoplake.ops.TableTasks;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the stream's tables need besides their appends, on a thread of its own so that a
 * micro-batch never waits for it: the derived tables (gold.stock_current, gold.live_traffic_minute)
 * and the late dimension keys catching up every few seconds, and the small files a commit a second
 * leaves compacted every few minutes (only the days written since, and never while the late keys
 * are being resolved: a compaction and an update of the same files conflict, appends do not).
 */
final class StreamUpkeep implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamUpkeep.class);
    /** The stream's tables that only ever get appends: compacted by day, or whole when not partitioned. */
    private static final List<TableSpec> APPENDED = List.of(LakeTables.GOLD_FACT_CART_ACTIVITY,
            LakeTables.GOLD_FACT_PRODUCT_STOCK, LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS, LakeTables.BRONZE_EVENTS_QUARANTINE,
            LakeTables.OPS_STREAM_PROGRESS);

    private final SparkSession spark;
    private final DeltaWriter writer;
    private final Runnable catchUp;
    private final ReentrantLock rewriting;
    private final Set<Integer> daysWritten = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stream-upkeep");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param catchUp   the derived tables catching up with the stream's (gold.stock_current,
     *                  gold.live_traffic_minute), and the late keys
     * @param rewriting held while a rewrite of the facts' files (the late keys) runs
     */
    StreamUpkeep(SparkSession spark, DeltaWriter writer, Runnable catchUp, ReentrantLock rewriting) {
        this.spark = spark;
        this.writer = writer;
        this.catchUp = catchUp;
        this.rewriting = rewriting;
    }

    void start(long catchUpEveryMs, long compactEveryMs) {
        long every = Math.max(250, catchUpEveryMs); // 0: as often as it can, a breath between runs
        thread.scheduleWithFixedDelay(() -> quietly("the derived tables", catchUp), 0, every, TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(() -> quietly("compaction", this::compact), compactEveryMs, compactEveryMs,
                TimeUnit.MILLISECONDS);
    }

    /** Days the facts were appended to: the next compaction looks at them. */
    void written(List<Integer> days) {
        daysWritten.addAll(days);
    }

    private void compact() {
        List<Integer> days = List.copyOf(daysWritten);
        rewriting.lock();
        try {
            for (TableSpec spec : APPENDED) {
                String partitions = spec.partitionBy().isEmpty() ? null : days.isEmpty() ? "false"
                        : spec.partitionBy().get(0) + " IN (" + String.join(", ", days.stream().map(String::valueOf).toList()) + ")";
                if (!"false".equals(partitions)) {
                    TableTasks.labelled(spark, spec.qualifiedName() + " (compaction)",
                            () -> TableMaintenance.compact(spark, writer, spec, partitions)).run();
                }
            }
            daysWritten.removeAll(days);
        } finally {
            rewriting.unlock();
        }
    }

    private static void quietly(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.warn("stream upkeep: {} failed (tried again later): {}", what, JobRun.errorLine(e));
        }
    }

    /** Stops the thread after what it is doing. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
