package dev.shoplake.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import dev.shoplake.lake.LakeTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Conforms a bronze landing of a source table to one current row per id: the newest version (by
 * updated_at, then by when it was landed), flagged {@code is_deleted} when the source deleted it.
 * Rows are never dropped: a deleted order line stays, marked.
 */
public final class CurrentVersions {
    private CurrentVersions() {
    }

    /**
     * The rows as they were when deleted (the delete log's {@code old_row}), as versions: a row
     * deleted before any landing saw it (a cart that lived a few hours) is rebuilt from its image
     * instead of being lost. Where a landed version exists too, the newer {@code updated_at} wins.
     */
    static Dataset<Row> deletedImages(Dataset<Row> versions, Dataset<Row> deletes) {
        StructType columns = new StructType();
        for (StructField f : versions.schema().fields()) {
            if (!f.name().startsWith("_")) {
                columns = columns.add(f.name(), f.dataType());
            }
        }
        if (!java.util.Arrays.asList(deletes.columns()).contains("old_row")) {
            return versions.where("false");
        }
        return deletes.where(col("old_row").isNotNull())
                .select(from_json(col("old_row"), columns,
                                java.util.Map.of("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss[.SSSSSS]XXX")).as("_row"),
                        col(LakeTables.INGESTED_AT), lit("deleted_rows").as(LakeTables.SOURCE))
                .select(col("_row.*"), col(LakeTables.INGESTED_AT), col(LakeTables.SOURCE));
    }

    /**
     * @param versions bronze rows of one table (any number of versions per id)
     * @param deletes  bronze.deleted_rows rows for that table (row_id, deleted_at, _ingested_at)
     */
    public static Dataset<Row> current(Dataset<Row> versions, Dataset<Row> deletes) {
        Dataset<Row> latest = versions.unionByName(deletedImages(versions, deletes), true)
                .withColumn("_rank", row_number().over(Window.partitionBy("id")
                        .orderBy(col("updated_at").desc(), col(LakeTables.INGESTED_AT).desc())))
                .where(col("_rank").equalTo(1))
                .drop("_rank", LakeTables.SOURCE, LakeTables.RUN_ID);
        Dataset<Row> deleted = deletes.groupBy("row_id").agg(
                org.apache.spark.sql.functions.max("deleted_at").as("deleted_at"),
                org.apache.spark.sql.functions.max(LakeTables.INGESTED_AT).as("_deleted_ingested_at"));
        return latest.join(deleted, latest.col("id").equalTo(deleted.col("row_id")), "left")
                .withColumn("is_deleted", col("row_id").isNotNull())
                .withColumn(LakeTables.INGESTED_AT, org.apache.spark.sql.functions.greatest(
                        col(LakeTables.INGESTED_AT), org.apache.spark.sql.functions.coalesce(
                                col("_deleted_ingested_at"), lit(null).cast("timestamp"))))
                .drop("row_id", "_deleted_ingested_at");
    }

    /**
     * The current rows of the ids touched by new bronze rows, without reading bronze's history:
     * the silver rows of those ids (each already the newest of what came before, its delete kept)
     * compete with the new versions and deletes. Equals {@link #current} over all of history,
     * because "newest version" and "deleted at all" combine piece by piece.
     *
     * @param silverRows the silver rows of the touched ids (none for a new id)
     */
    public static Dataset<Row> since(Dataset<Row> silverRows, Dataset<Row> versions, Dataset<Row> deletes) {
        Dataset<Row> asVersions = silverRows.drop("is_deleted", "deleted_at");
        Dataset<Row> asDeletes = silverRows.where(col("is_deleted"))
                .select(col("id").as("row_id"), col("deleted_at"), col(LakeTables.INGESTED_AT));
        return current(versions.unionByName(asVersions, true), deletes.select(
                col("row_id"), col("deleted_at"), col(LakeTables.INGESTED_AT), oldRow(deletes))
                .unionByName(asDeletes, true));
    }

    private static org.apache.spark.sql.Column oldRow(Dataset<Row> deletes) {
        return java.util.Arrays.asList(deletes.columns()).contains("old_row") ? col("old_row")
                : lit(null).cast("string").as("old_row");
    }
}
