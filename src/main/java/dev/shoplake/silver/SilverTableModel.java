package dev.shoplake.silver;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.InputVersions;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One silver table as a model, as gold's are: the table it builds, the bronze tables it reads (the
 * runner skips it when none of them has a commit silver has not read) and how its changed rows are
 * built. The runner ({@link SilverJob}) writes what {@link #build} returns.
 */
abstract class SilverTableModel {
    /**
     * The rows to write and how: replaced by key ({@code compared} null) or upserted where one of
     * the {@code compared} columns changed; {@code prune} keeps the MERGE to the target rows that
     * can match. {@code rowsRead} is what the audit reports as read (null: the rows written).
     */
    record Change(Dataset<Row> rows, Column prune, List<String> compared, Long rowsRead, String message) {
        static Change replace(Dataset<Row> rows, Column prune, Long rowsRead) {
            return new Change(rows, prune, null, rowsRead, null);
        }

        /** Nothing to write, only a line for the audit. */
        static Change none(long rowsRead, String message) {
            return new Change(null, null, null, rowsRead, message);
        }
    }

    private final TableSpec table;
    private final List<TableSpec> reads;

    SilverTableModel(TableSpec table, List<TableSpec> reads) {
        this.table = table;
        this.reads = reads;
    }

    final TableSpec table() {
        return table;
    }

    /** The bronze tables whose new commits this table follows; the first is the one it is built from. */
    final List<TableSpec> reads() {
        return reads;
    }

    /** What the audit says when the inputs did not move. */
    String unchanged() {
        return "inputs unchanged";
    }

    /** The change since silver last read its inputs; null when the table is not built (yet). */
    abstract Change build(InputVersions in, DeltaWriter lake);

    @Override
    public String toString() {
        return table.qualifiedName();
    }
}
