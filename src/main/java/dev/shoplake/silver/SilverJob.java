package dev.shoplake.silver;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.InputVersions;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableTasks;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Builds silver from bronze, incrementally: only the bronze commits silver has not read
 * ({@link InputVersions}) are read, and only the ids they touch are recomputed and MERGEd.
 *
 * <p>Each table is a model ({@link SilverTableModel}: {@link ConformedTable} for each source table,
 * {@link SupportTickets}); this class is the runner: it skips the models whose inputs did not move
 * and writes the rest, {@code parallelTables} at a time.
 */
public final class SilverJob {
    private final SparkSession spark;
    private final DeltaWriter writer;
    private final int parallelTables;

    public SilverJob(SparkSession spark, DeltaWriter writer, int parallelTables) {
        this.spark = spark;
        this.writer = writer;
        this.parallelTables = parallelTables;
    }

    /** Every silver table, as models. */
    List<SilverTableModel> models() {
        List<SilverTableModel> models = new ArrayList<>();
        LakeTables.POSTGRES_TABLES.forEach(t -> models.add(new ConformedTable(spark, t)));
        models.add(new SupportTickets());
        return models;
    }

    public void run(JobRun run) {
        List<SilverTableModel> models = models();
        List<TableSpec> inputs = new ArrayList<>();
        models.forEach(m -> m.reads().stream().filter(t -> !inputs.contains(t)).forEach(inputs::add));
        InputVersions versions = InputVersions.load(spark, writer, "silver", inputs, false);
        // new source columns flow on from bronze into silver
        String autoMerge = "spark.databricks.delta.schema.autoMerge.enabled";
        String before = spark.conf().get(autoMerge, "false");
        spark.conf().set(autoMerge, "true");
        try {
            TableTasks.run(parallelTables, models.stream().map(m -> TableTasks.labelled(spark,
                    m.table().qualifiedName(), () -> write(run, m, versions))).toList());
            versions.commit(run.runId());
        } finally {
            versions.release();
            spark.conf().set(autoMerge, before);
        }
    }

    /** Builds and writes one table, or skips it when none of its inputs has a commit silver has not read. */
    private void write(JobRun run, SilverTableModel model, InputVersions versions) {
        long started = System.currentTimeMillis();
        String table = model.table().qualifiedName();
        if (writer.exists(model.table()) && !versions.moved(model.reads().toArray(TableSpec[]::new))) {
            run.add(new JobRun.TableResult(table, "ok", 0, 0, 0, System.currentTimeMillis() - started,
                    model.unchanged()));
            return;
        }
        SilverTableModel.Change change = model.build(versions, writer);
        if (change == null) {
            return;
        }
        long written = 0;
        if (change.rows() != null) {
            written = change.compared() == null ? writer.replaceByKey(model.table(), change.rows(), change.prune())
                    : writer.upsertWhenChanged(model.table(), change.rows(), change.prune(), change.compared());
        }
        long read = change.rowsRead() == null ? written : change.rowsRead();
        run.add(new JobRun.TableResult(table, "ok", read, written, 0, System.currentTimeMillis() - started,
                change.message()));
    }
}
