package dev.shoplake.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.InputVersions;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the gold star schema from silver (current rows) and bronze (every landed version, for
 * history), incrementally.
 *
 * <p>A run reads only the silver commits since the previous run ({@link InputVersions}), plus the
 * rows that depend on them (an order's lines when the order changes) and the facts still waiting
 * for a late dimension row (key {@link GoldModel#UNKNOWN_KEY}). Dimensions load first; facts then
 * take their keys from gold's dimensions, the version valid at the fact's own time. Facts and
 * {@code dim_cart} are partitioned by their date key and only the batch's days are rewritten
 * ({@link DeltaWriter#upsertPartitions}), so a daily run touches only the days it changed. A row's
 * date never changes (orders, payments, carts and tickets keep their creation time), which is what
 * makes that safe: a key is only ever in one day.
 *
 * <p>Each table is a model in its own file ({@link GoldTableModel}: what it reads, what it looks
 * up, how it is built); this class is the runner: it orders the models, skips those whose inputs
 * did not move, and upserts the rest.
 *
 * <p>Every date key comes from the row's own time, never the run's clock. Upserts touch changed
 * rows only: a re-run changes nothing, and a full refresh gives the same tables.
 */
public final class GoldJob {
    /** Every gold table the batch builds, as models (the stream's facts are not among them). */
    static final List<GoldTableModel> MODELS = List.of(new DimCustomer(), new DimProduct(), new DimCategory(),
            new DimDate(), new FactSales(), new FactOrderDetails(), new FactPayments(), new DimCart(),
            new FactSupportTicket());

    private final SparkSession spark;
    private final DeltaWriter writer;
    private final int parallelTables;
    private final boolean fullRefresh;
    private final Map<TableSpec, Column> written = new ConcurrentHashMap<>();

    public GoldJob(SparkSession spark, DeltaWriter writer, int parallelTables) {
        this(spark, writer, parallelTables, false);
    }

    /** @param fullRefresh rebuild every gold row from silver rather than only what landed since the last run */
    public GoldJob(SparkSession spark, DeltaWriter writer, int parallelTables, boolean fullRefresh) {
        this.spark = spark;
        this.writer = writer;
        this.parallelTables = parallelTables;
        this.fullRefresh = fullRefresh;
    }

    public void run(JobRun run) {
        written.clear();
        if (!writer.exists(LakeTables.SILVER_POSTGRES.get("sales"))) {
            run.add(new JobRun.TableResult("gold.*", "ok", 0, 0, 0, 0, "no silver yet"));
            return;
        }
        List<TableSpec> sources = new ArrayList<>(LakeTables.SILVER_POSTGRES.values());
        sources.add(LakeTables.SILVER_SUPPORT_TICKETS);
        // a gold table missing (the first run, a table deleted to rebuild it, the first report) is
        // built from all of silver: the whole run reads as --full-refresh does
        boolean ticketsLanded = writer.exists(LakeTables.SILVER_SUPPORT_TICKETS);
        boolean rebuild = fullRefresh || MODELS.stream()
                .filter(m -> m.table() != LakeTables.GOLD_FACT_SUPPORT_TICKET || ticketsLanded)
                .anyMatch(m -> !writer.exists(m.table()));
        InputVersions inputs = InputVersions.load(spark, writer, "gold", sources, rebuild);
        GoldInputs in = new GoldInputs(spark, writer, inputs);
        List<GoldTableModel> models = MODELS.stream().filter(m -> m.applies(in)).toList();
        // in waves: a model runs once the gold tables it looks up are written (dimensions, then facts)
        try {
            for (List<GoldTableModel> wave : waves(models)) {
                TableTasks.run(parallelTables, wave.stream().map(m -> TableTasks.labelled(spark,
                        m.table().qualifiedName(), () -> build(run, m, in, inputs))).toList());
            }
            inputs.commit(run.runId());
        } finally {
            inputs.release();
        }
    }

    /**
     * The tables the last {@link #run} wrote a row to, each with what it rewrote: its batch's days,
     * or {@link DeltaWriter#WHOLE_TABLE} for a table without date partitions.
     */
    public Map<TableSpec, Column> written() {
        return Map.copyOf(written);
    }

    /** The models grouped so that each comes after the gold tables it looks up. */
    static List<List<GoldTableModel>> waves(List<GoldTableModel> models) {
        List<List<GoldTableModel>> waves = new ArrayList<>();
        java.util.Set<TableSpec> pending = new java.util.HashSet<>();
        models.forEach(m -> pending.add(m.table()));
        List<GoldTableModel> left = new ArrayList<>(models);
        while (!left.isEmpty()) {
            List<GoldTableModel> wave = left.stream().filter(m -> m.after().stream().noneMatch(pending::contains)).toList();
            if (wave.isEmpty()) {
                throw new IllegalStateException("gold models look each other up in a cycle: " + left);
            }
            waves.add(wave);
            left.removeAll(wave);
            wave.forEach(m -> pending.remove(m.table()));
        }
        return waves;
    }

    /** Builds and upserts one table, or skips it when none of its silver inputs has a commit gold has not read. */
    private void build(JobRun run, GoldTableModel model, GoldInputs in, InputVersions inputs) {
        TableSpec spec = model.table();
        if (writer.exists(spec) && !inputs.moved(model.reads().toArray(TableSpec[]::new))) {
            run.add(new JobRun.TableResult(spec.qualifiedName(), "ok", 0, 0, 0, 0, "inputs unchanged"));
            return;
        }
        upsert(run, model, in);
    }

    /**
     * MERGEs the batch into its table. With {@code dateKey}, the MERGE reads only the target's
     * partitions for the batch's days (a handful of ints, from the same Spark job as the count).
     */
    private void upsert(JobRun run, GoldTableModel model, GoldInputs in) {
        long started = System.currentTimeMillis();
        TableSpec spec = model.table();
        String dateKey = model.partitionColumn();
        // conformed, then cached once: the count, the days and the MERGE all read this copy
        Dataset<Row> batch = DeltaWriter.conform(spec, model.build(in)).cache();
        try {
            Row shape = batch.agg(count("*"), dateKey == null ? lit(null) : collect_set(dateKey)).first();
            long read = shape.getLong(0);
            long written = 0;
            Column pruning = DeltaWriter.WHOLE_TABLE;
            if (dateKey != null && read > 0 && writer.exists(spec)) {
                pruning = DeltaWriter.target(dateKey).isin(shape.getList(1).toArray());
            }
            if (model.appendsOnly()) {
                // the note before the table is created: an empty calendar would be read for its span
                String note = read > 0 ? model.commitNote(in, batch) : null;
                if (!writer.exists(spec)) {
                    writer.ensure(spec);
                }
                if (read > 0) {
                    writer.append(spec, batch, note);
                    written = writer.lastCommitChangedRows(spec);
                }
            } else if (read > 0 && dateKey != null && spec.partitionBy().equals(List.of(dateKey))) {
                // a fact or dim_cart: its batch's days rewritten, cheaper than a MERGE into them
                written = writer.upsertPartitions(spec, batch, shape.getList(1));
                if (written > 0) {
                    this.written.put(spec, col(dateKey).isin(shape.getList(1).toArray()));
                }
            } else if (read > 0 || !writer.exists(spec)) {
                written = writer.upsert(spec, batch, pruning);
            }
            if (written > 0) {
                this.written.putIfAbsent(spec, DeltaWriter.WHOLE_TABLE);
            }
            run.add(new JobRun.TableResult(spec.qualifiedName(), "ok", read, written, 0,
                    System.currentTimeMillis() - started, null));
        } finally {
            batch.unpersist();
        }
    }
}
