package dev.shoplake.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.testing.TestSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upkeep compacts a table written in many small commits; what it holds does not change. */
class TableMaintenanceTest {
    private final SparkSession spark = TestSpark.session();

    @TempDir
    Path lake;

    @Test
    void compactsSmallFilesAndKeepsEveryRow() {
        DeltaWriter writer = new DeltaWriter(spark, lake.toString());
        writer.ensure(LakeTables.OPS_JOB_RUNS);
        for (int i = 0; i < 6; i++) { // six runs, six commits, six small files
            writer.appendOnce(LakeTables.OPS_JOB_RUNS, spark.createDataFrame(List.of(RowFactory.create("run-" + i, "batch",
                    "gold.fact_sales", "ok", (long) i, (long) i, 0L, Timestamp.valueOf("2026-06-01 00:00:00"), 10L, null)),
                    LakeTables.OPS_JOB_RUNS.schema()), "test", i);
        }
        String before = content(writer);
        assertEquals(6L, writer.fileCount(LakeTables.OPS_JOB_RUNS));

        List<TableMaintenance.Result> results = TableMaintenance.run(spark, writer, LakeTables.all(), Duration.ofHours(168),
                r -> { });

        assertEquals(List.of("ops.job_runs"), results.stream().map(TableMaintenance.Result::table).toList(),
                "only tables that exist");
        assertEquals(6L, results.get(0).filesBefore());
        assertEquals(1L, results.get(0).filesAfter());
        assertEquals(1L, writer.fileCount(LakeTables.OPS_JOB_RUNS));
        assertEquals(before, content(writer), "the same rows");
    }

    private String content(DeltaWriter writer) {
        return writer.read(LakeTables.OPS_JOB_RUNS).selectExpr("count(*) || ':' || sum(rows_read) || ':' || "
                + "sum(CAST(xxhash64(*) AS DECIMAL(38, 0)))").first().getString(0);
    }
}
