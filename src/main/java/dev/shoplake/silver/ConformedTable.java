package dev.shoplake.silver;

import static org.apache.spark.sql.functions.col;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.InputVersions;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * silver.{source table}: one current row per source id ({@link CurrentVersions}). The nine source
 * tables are conformed alike (their columns flow on from bronze), so one model serves each of them.
 * A run reads the versions and deletes landed since silver last read bronze, combines them with the
 * silver rows of the ids they touch, and replaces those ids over the range of ids touched.
 */
final class ConformedTable extends SilverTableModel {
    private final SparkSession spark;
    private final TableSpec bronze;

    ConformedTable(SparkSession spark, String sourceTable) {
        super(LakeTables.SILVER_POSTGRES.get(sourceTable),
                List.of(LakeTables.BRONZE_POSTGRES.get(sourceTable), LakeTables.BRONZE_DELETED_ROWS));
        this.spark = spark;
        this.bronze = LakeTables.BRONZE_POSTGRES.get(sourceTable);
    }

    @Override
    Change build(InputVersions in, DeltaWriter lake) {
        if (!in.exists(bronze)) {
            return Change.none(0, "no bronze yet");
        }
        boolean exists = lake.exists(table());
        Dataset<Row> newVersions = exists ? in.appended(bronze) : in.all(bronze);
        Dataset<Row> newDeletes = !in.exists(LakeTables.BRONZE_DELETED_ROWS) ? noDeletes()
                : (exists ? in.appended(LakeTables.BRONZE_DELETED_ROWS) : in.all(LakeTables.BRONZE_DELETED_ROWS))
                        .where(col("table_name").equalTo(table().name()));
        if (!exists) {
            return Change.replace(CurrentVersions.current(newVersions, newDeletes), DeltaWriter.WHOLE_TABLE, null);
        }
        // both feeds are cached by InputVersions: the ids are cheap to derive twice
        Dataset<Row> touched = newVersions.select("id").union(newDeletes.select(col("row_id").as("id"))).distinct();
        Row range = touched.agg(functions.count("*"), functions.min("id"), functions.max("id")).first();
        long changed = range.getLong(0);
        if (changed == 0) {
            return Change.none(0, null);
        }
        // the range lets Delta skip the files of ids nobody touched (ids grow with time)
        Dataset<Row> before = lake.read(table()).where(col("id").between(range.get(1), range.get(2))).join(touched, "id");
        return Change.replace(CurrentVersions.since(before, newVersions, newDeletes),
                DeltaWriter.target("id").between(range.get(1), range.get(2)), changed);
    }

    private Dataset<Row> noDeletes() {
        return spark.emptyDataFrame().selectExpr("CAST(NULL AS INT) AS row_id", "CAST(NULL AS TIMESTAMP) AS deleted_at",
                "CAST(NULL AS TIMESTAMP) AS " + LakeTables.INGESTED_AT).where("false");
    }
}
