package dev.shoplake.cli;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.ops.RunLock;
import dev.shoplake.pipeline.BatchPipeline;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse batch}: one run of bronze, silver and gold under the lake's run lock. */
@Command(name = "batch", description = "Run the batch lakehouse: bronze (PostgreSQL, FTP reports), silver, gold. "
        + "Reads only what changed since the last run; a table whose inputs did not move is skipped. "
        + "One run at a time per lake: a second one exits 2 naming the holder, or waits with --wait.")
final class BatchCommand implements Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--full-refresh", description = "Rebuild every gold row from silver, not only what landed since "
            + "the last run (the result is the same; use it after changing the gold model).")
    boolean fullRefresh;

    @Option(names = "--wait", description = "Wait for a batch that holds the lake's run lock to finish, "
            + "instead of exiting 2.")
    boolean waitForLock;

    @Override
    public Integer call() {
        LakehouseConfig config = parent.config();
        // taken before Spark starts: a refused run costs nothing
        try (var lock = lock(config, parent.hadoopConf(), waitForLock ? Duration.ofHours(12) : Duration.ZERO)) {
            return parent.withJobSession("shoplake-batch", (spark, c) ->
                    exitCode(BatchPipeline.run(spark, c, fullRefresh, Lakehouse::say), System.err));
        }
    }

    /**
     * 0, or 1 with one line when data tests of what the run wrote failed (each is listed above it), as
     * {@code dbt build} does: the run's commits stay, and a scheduler sees the failure.
     */
    static int exitCode(BatchPipeline.Outcome outcome, java.io.PrintStream err) {
        long failed = outcome.failedDataTests();
        if (failed == 0) {
            return 0;
        }
        err.println("error: " + failed + " data test(s) failed on what this run wrote (listed above)");
        return 1;
    }

    /** The lake's batch lock: touched every 10 s while held, taken over when untouched for 2 minutes. */
    static RunLock lock(LakehouseConfig config, Configuration hadoop, Duration wait) {
        var lock = RunLock.acquire(config.lakeRoot(), "batch", hadoop, wait, Duration.ofSeconds(10), Duration.ofMinutes(2));
        if (lock.tookOver() != null) {
            Lakehouse.say("took over the batch lock of a run that died: " + lock.tookOver());
        }
        return lock;
    }
}
