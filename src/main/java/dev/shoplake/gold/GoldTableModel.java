package dev.shoplake.gold;

import dev.shoplake.lake.TableSpec;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One gold table as a model: the table it builds, the silver tables it reads (the run skips it when
 * none of them has a commit gold has not read), the gold tables it looks up (built before it), the
 * date-key partition column its MERGE prunes by, and how its changed rows are built.
 */
abstract class GoldTableModel {
    private final TableSpec table;
    private final List<TableSpec> reads;
    private final List<TableSpec> after;
    private final String partitionColumn;

    /**
     * @param reads           the silver tables whose changes this table follows
     * @param after           the gold tables it looks up: the runner builds them first
     * @param partitionColumn the date key a MERGE prunes by; null for a table without one
     */
    GoldTableModel(TableSpec table, List<TableSpec> reads, List<TableSpec> after, String partitionColumn) {
        this.table = table;
        this.reads = reads;
        this.after = after;
        this.partitionColumn = partitionColumn;
    }

    final TableSpec table() {
        return table;
    }

    final List<TableSpec> reads() {
        return reads;
    }

    final List<TableSpec> after() {
        return after;
    }

    final String partitionColumn() {
        return partitionColumn;
    }

    /** Whether the table is built at all (the support ticket fact waits for the first report). */
    boolean applies(GoldInputs in) {
        return true;
    }

    /** Whether the rows built are never in the table yet (an append, not a MERGE): the calendar. */
    boolean appendsOnly() {
        return false;
    }

    /**
     * What an append of {@code appended} leaves the table holding, as the commit's note the next run
     * reads from the log (see {@link #appendsOnly}); null for no note.
     */
    String commitNote(GoldInputs in, Dataset<Row> appended) {
        return null;
    }

    /** The rows to upsert: those that changed since gold's last run. */
    abstract Dataset<Row> build(GoldInputs in);

    @Override
    public String toString() {
        return table.qualifiedName();
    }
}
