package dev.shoplake.cli;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.TableMaintenance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse maintain}: compaction, VACUUM and log checkpoints, under the batch lock. */
@Command(name = "maintain", description = "Compact small files (OPTIMIZE), VACUUM files older than the retention, "
        + "checkpoint each table's log; prints live files before and after. Holds the batch lock; run it while the "
        + "stream is stopped (a compaction can conflict with a micro-batch's MERGE).")
final class MaintainCommand implements Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--layer", description = "Only this layer's tables: bronze, silver, gold or ops (default: all).")
    String layer;

    @Option(names = "--retain-hours", description = "VACUUM keeps files removed less than this long ago, for readers "
            + "and time travel (default: ${DEFAULT-VALUE}, Delta's own minimum).", defaultValue = "168")
    long retainHours;

    @Override
    public Integer call() {
        var config = parent.config();
        List<TableSpec> tables = LakeTables.all().stream().filter(t -> layer == null || t.layer().equals(layer)).toList();
        if (retainHours < 168) {
            // Delta's safety check, and the runs' change feeds (ops.InputVersions) count on 7 days
            throw new dev.shoplake.config.ConfigException("--retain-hours must be at least 168 (7 days): a reader or "
                    + "a run that has not caught up may still need files removed less than 7 days ago");
        }
        if (tables.isEmpty()) {
            throw new dev.shoplake.config.ConfigException("no layer '" + layer + "': bronze, silver, gold or ops");
        }
        try (var lock = BatchCommand.lock(config, parent.hadoopConf(), Duration.ZERO)) {
            return parent.withJobSession("shoplake-maintain", (spark, c) -> {
                var results = TableMaintenance.run(spark, new DeltaWriter(spark, c.lakeRoot()), tables,
                        Duration.ofHours(retainHours), r -> Lakehouse.say("  " + r.summary()));
                Lakehouse.say(String.format("maintained %d table(s): live files %,d -> %,d", results.size(),
                        results.stream().mapToLong(TableMaintenance.Result::filesBefore).sum(),
                        results.stream().mapToLong(TableMaintenance.Result::filesAfter).sum()));
                return 0;
            });
        }
    }
}
