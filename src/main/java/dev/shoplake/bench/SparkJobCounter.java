package dev.shoplake.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;

/**
 * Counts the Spark jobs and stages a phase of the bench starts, and the jobs per description
 * (Delta names its steps, the stream names its micro-batches): where a run's fixed costs come from.
 */
final class SparkJobCounter extends SparkListener {
    private final AtomicLong jobs = new AtomicLong();
    private final AtomicLong stages = new AtomicLong();
    private final Map<String, AtomicLong> byDescription = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> msByDescription = new ConcurrentHashMap<>();
    private final Map<Integer, String> running = new ConcurrentHashMap<>();
    private final Map<Integer, Long> startedAt = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> byTable = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> msByTable = new ConcurrentHashMap<>();
    private final Map<Integer, String> runningFor = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        jobs.incrementAndGet();
        String description = jobStart.properties() == null ? null
                : jobStart.properties().getProperty("spark.job.description");
        if ((description == null || description.isBlank()) && !jobStart.stageInfos().isEmpty()) {
            // a DataFrame action of our own (or a stage of one under adaptive execution): its result stage's call site
            description = "(no description) " + jobStart.stageInfos().last().name();
        }
        String kind = shape(description);
        byDescription.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        running.put(jobStart.jobId(), kind);
        String table = jobStart.properties() == null ? null
                : jobStart.properties().getProperty(dev.shoplake.ops.TableTasks.TABLE_PROPERTY);
        String forTable = table == null ? "(no table)" : table;
        byTable.computeIfAbsent(forTable, k -> new AtomicLong()).incrementAndGet();
        runningFor.put(jobStart.jobId(), forTable);
        startedAt.put(jobStart.jobId(), jobStart.time());
    }

    @Override
    public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd jobEnd) {
        String kind = running.remove(jobEnd.jobId());
        Long start = startedAt.remove(jobEnd.jobId());
        String table = runningFor.remove(jobEnd.jobId());
        if (kind != null && start != null) {
            msByDescription.computeIfAbsent(kind, k -> new AtomicLong()).addAndGet(jobEnd.time() - start);
        }
        if (table != null && start != null) {
            msByTable.computeIfAbsent(table, k -> new AtomicLong()).addAndGet(jobEnd.time() - start);
        }
    }

    /** A description without its ids and numbers, so that every micro-batch's jobs count as one kind. */
    static String shape(String description) {
        if (description == null || description.isBlank()) {
            return "(no description)";
        }
        String first = description.lines().findFirst().orElse("").strip();
        return first.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27,}", "<id>").replaceAll("\\d+", "N");
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stageCompleted) {
        stages.incrementAndGet();
    }

    /** Jobs and stages since the last call. */
    long[] takeCounts() {
        byDescription.clear();
        msByDescription.clear();
        byTable.clear();
        msByTable.clear();
        return new long[] {jobs.getAndSet(0), stages.getAndSet(0)};
    }

    /** Jobs per description since the last {@link #takeCounts}. */
    Map<String, Long> byDescription() {
        Map<String, Long> out = new TreeMap<>();
        byDescription.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Jobs per table they worked for ({@link dev.shoplake.ops.TableTasks#TABLE_PROPERTY}), since the last {@link #takeCounts}. */
    Map<String, Long> byTable() {
        Map<String, Long> out = new TreeMap<>();
        byTable.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Milliseconds the jobs of each table ran, since the last {@link #takeCounts}. */
    Map<String, Long> msByTable() {
        Map<String, Long> out = new TreeMap<>();
        msByTable.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Milliseconds the jobs of each description ran (jobs side by side add up), since the last {@link #takeCounts}. */
    Map<String, Long> msByDescription() {
        Map<String, Long> out = new TreeMap<>();
        msByDescription.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
