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
    /** Jobs per micro-batch (query id / batch id), with when its first job started. */
    private final Map<String, long[]> byMicroBatch = new ConcurrentHashMap<>();
    /** Per micro-batch job: when its micro-batch's first job started, and the table and description it was for. */
    private final java.util.List<String[]> microBatchJobs = new java.util.concurrent.CopyOnWriteArrayList<>();

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
        // Spark marks every job a micro-batch runs in its own thread with the query's id and the batch's
        String query = jobStart.properties() == null ? null : jobStart.properties().getProperty("sql.streaming.queryId");
        String batch = jobStart.properties() == null ? null : jobStart.properties().getProperty("streaming.sql.batchId");
        if (query != null && batch != null) {
            long[] b = byMicroBatch.computeIfAbsent(query + "/" + batch, k -> new long[] {jobStart.time(), 0});
            b[1]++;
            microBatchJobs.add(new String[] {String.valueOf(b[0]), forTable + ": " + kind});
        }
    }

    /** Jobs per micro-batch by table and description, over the micro-batches whose first job started in [from, to). */
    Map<String, Double> microBatchJobsByKind(long from, long to) {
        long batches = jobsPerMicroBatch(from, to).size();
        Map<String, Double> out = new TreeMap<>();
        for (String[] j : microBatchJobs) {
            long at = Long.parseLong(j[0]);
            if (at >= from && at < to) {
                out.merge(j[1], 1.0 / Math.max(1, batches), Double::sum);
            }
        }
        return out;
    }

    /** Spark jobs of each micro-batch whose first job started in [from, to) (epoch ms), ascending. */
    java.util.List<Long> jobsPerMicroBatch(long from, long to) {
        return byMicroBatch.values().stream().filter(b -> b[0] >= from && b[0] < to).map(b -> b[1]).sorted().toList();
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
