package dev.shoplake.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one task per table, {@code parallel} at a time. Each task writes its own Delta table in its
 * own commit, and most of a small table's time is driver-side latency (log replay, MERGE planning)
 * that threads overlap. A failed task does not stop the others; the first failure is rethrown with
 * the rest suppressed.
 */
public final class TableTasks {
    private TableTasks() {
    }

    /** The Spark local property naming the table a job works for: the bench counts jobs per table by it. */
    public static final String TABLE_PROPERTY = "shoplake.table";

    /**
     * {@code work}, with every Spark job it starts labelled {@link #TABLE_PROPERTY} = {@code table}
     * (Spark's local properties are per thread: each task labels its own).
     */
    public static Runnable labelled(org.apache.spark.sql.SparkSession spark, String table, Runnable work) {
        return () -> forTable(spark, table, () -> {
            work.run();
            return null;
        });
    }

    /** {@code work}'s result, its Spark jobs labelled as in {@link #labelled}. */
    public static <T> T forTable(org.apache.spark.sql.SparkSession spark, String table, java.util.function.Supplier<T> work) {
        String before = spark.sparkContext().getLocalProperty(TABLE_PROPERTY);
        spark.sparkContext().setLocalProperty(TABLE_PROPERTY, table);
        try {
            return work.get();
        } finally {
            spark.sparkContext().setLocalProperty(TABLE_PROPERTY, before);
        }
    }

    public static void run(int parallel, List<Runnable> tasks) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallel, tasks.size())));
        try {
            List<Future<?>> running = new ArrayList<>();
            tasks.forEach(t -> running.add(pool.submit(t)));
            RuntimeException first = null;
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException(e.getCause());
                    if (first == null) {
                        first = cause;
                    } else {
                        first.addSuppressed(cause);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }
}
