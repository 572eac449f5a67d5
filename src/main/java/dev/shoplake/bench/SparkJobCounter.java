package dev.shoplake.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;

/** Counts the Spark jobs and stages a phase of the bench starts: where a run's fixed costs come from. */
final class SparkJobCounter extends SparkListener {
    private final AtomicLong jobs = new AtomicLong();
    private final AtomicLong stages = new AtomicLong();

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        jobs.incrementAndGet();
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stageCompleted) {
        stages.incrementAndGet();
    }

    /** Jobs and stages since the last call. */
    long[] takeCounts() {
        return new long[] {jobs.getAndSet(0), stages.getAndSet(0)};
    }
}
