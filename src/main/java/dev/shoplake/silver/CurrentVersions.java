package dev.shoplake.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import dev.shoplake.lake.LakeTables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Conforms a bronze landing of a source table to one current row per id: the newest version (by
 * updated_at, then by when it was landed), flagged {@code is_deleted} when the source deleted it.
 * Rows are never dropped: a deleted order line stays, marked.
 */
public final class CurrentVersions {
    private CurrentVersions() {
    }

    /**
     * @param versions bronze rows of one table (any number of versions per id)
     * @param deletes  bronze.deleted_rows rows for that table (row_id, deleted_at, _ingested_at)
     */
    public static Dataset<Row> current(Dataset<Row> versions, Dataset<Row> deletes) {
        Dataset<Row> latest = versions
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
}
