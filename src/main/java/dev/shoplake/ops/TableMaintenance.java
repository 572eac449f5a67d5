package dev.shoplake.ops;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import io.delta.tables.DeltaTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;

/**
 * Upkeep of the lake's tables: a stream committing every few seconds leaves many small files and
 * a long log. Per table: compaction (OPTIMIZE: small files rewritten into large ones, the data
 * unchanged, readers unaffected), VACUUM of files no version younger than the retention needs,
 * and a log checkpoint so a reader replays a few commits, not all of them.
 */
public final class TableMaintenance {
    /** Files live before and after, per table. */
    public record Result(String table, long filesBefore, long filesAfter, long optimizeMs, long vacuumMs,
                         long checkpointMs) {
        public long durationMs() {
            return optimizeMs + vacuumMs + checkpointMs;
        }

        public String summary() {
            return String.format("%-34s live files %,6d -> %,6d  optimize %,6d ms  vacuum %,6d ms  checkpoint %,6d ms",
                    table, filesBefore, filesAfter, optimizeMs, vacuumMs, checkpointMs);
        }
    }

    private TableMaintenance() {
    }

    /**
     * Compacts the small files of {@code spec}'s rows matching {@code partitions} (a predicate on
     * its partition columns; null: the whole table), as the stream's upkeep does between commits.
     */
    public static void compact(SparkSession spark, DeltaWriter writer, TableSpec spec, String partitions) {
        if (writer.exists(spec)) {
            var optimize = DeltaTable.forPath(spark, writer.path(spec)).optimize();
            (partitions == null ? optimize : optimize.where(partitions)).executeCompaction();
        }
    }

    /**
     * @param retention how long removed files stay for readers and time travel (Delta refuses less
     *                  than 7 days unless its safety check is turned off, which this never does)
     */
    public static List<Result> run(SparkSession spark, DeltaWriter writer, List<TableSpec> tables, Duration retention,
                                   java.util.function.Consumer<Result> progress) {
        List<Result> out = new ArrayList<>();
        for (TableSpec spec : tables) {
            if (!writer.exists(spec)) {
                continue;
            }
            long before = writer.fileCount(spec);
            DeltaTable table = DeltaTable.forPath(spark, writer.path(spec));
            long t0 = System.currentTimeMillis();
            table.optimize().executeCompaction();
            long t1 = System.currentTimeMillis();
            vacuum(spark, writer.path(spec), retention);
            long t2 = System.currentTimeMillis();
            DeltaLog.forTable(spark, writer.path(spec)).checkpoint();
            long t3 = System.currentTimeMillis();
            Result r = new Result(spec.qualifiedName(), before, writer.fileCount(spec), t1 - t0, t2 - t1, t3 - t2);
            progress.accept(r);
            out.add(r);
        }
        return out;
    }

    /**
     * VACUUM LITE finds what to delete from the log, not by listing every directory (a listing is
     * a Spark job of thousands of tasks, tens of seconds per table here); a table whose log no
     * longer reaches back over the retention gets the full listing.
     */
    private static void vacuum(SparkSession spark, String path, Duration retention) {
        String sql = "VACUUM delta.`" + path + "` RETAIN " + retention.toHours() + " HOURS";
        try {
            spark.sql(sql + " LITE");
        } catch (Exception e) { // Spark's AnalysisException is checked, unknown to javac
            spark.sql(sql);
        }
    }
}
