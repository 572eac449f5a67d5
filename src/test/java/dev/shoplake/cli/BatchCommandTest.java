package dev.shoplake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.lake.LakeTables;
import dev.shoplake.ops.DataTests;
import dev.shoplake.pipeline.BatchPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** 'lakehouse batch' exits 1 when a data test of what it wrote failed, as dbt build does. */
class BatchCommandTest {
    private static final DataTests.DataTest UNIQUE_SALE = new DataTests.DataTest(LakeTables.GOLD_FACT_SALES, "unique",
            "sale_id", null, null);
    private static final DataTests.DataTest NOT_NULL_SALE = new DataTests.DataTest(LakeTables.GOLD_FACT_SALES,
            "not_null", "sale_id", null, null);

    private static String[] exit(List<DataTests.Outcome> tests) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BatchCommand.exitCode(new BatchPipeline.Outcome(Map.of(), null, List.of(), List.of(), tests),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void aRunWhoseTestsPassedOrRanNoneExitsZeroSilently() {
        assertEquals(List.of("0", ""), List.of(exit(List.of())));
        assertEquals(List.of("0", ""), List.of(exit(List.of(new DataTests.Outcome(UNIQUE_SALE, 0, null)))));
    }

    @Test
    void failedTestsExitOneWithOneLineCountingThem() {
        assertEquals(List.of("1", "error: 2 data test(s) failed on what this run wrote (listed above)\n"),
                List.of(exit(List.of(new DataTests.Outcome(UNIQUE_SALE, 3, "17"), new DataTests.Outcome(NOT_NULL_SALE, 0,
                        null), new DataTests.Outcome(NOT_NULL_SALE, 1, "null")))));
    }
}
