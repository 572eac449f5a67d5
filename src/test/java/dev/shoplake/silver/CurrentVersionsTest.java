package dev.shoplake.silver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.testing.TestSpark;
import java.sql.Timestamp;
import java.util.List;
import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** One current row per id from landed versions and the delete log, exact rows. */
class CurrentVersionsTest {
    private final SparkSession spark = TestSpark.session();

    private static Timestamp ts(String s) {
        return Timestamp.valueOf(s);
    }

    private static final String[] SHOWN = {"id", "customer_id", "created_at", "updated_at", "is_deleted", "deleted_at",
        "_ingested_at"};

    private static final List<Row> EXPECTED = List.of(
            RowFactory.create(1, 10, ts("2026-06-01 08:00:00"), ts("2026-06-01 08:30:00"), true,
                    ts("2026-06-02 12:00:00"), ts("2026-06-03 09:00:00")),
            RowFactory.create(2, 20, ts("2026-06-02 10:00:00.25"), ts("2026-06-02 14:59:59.123456"), true,
                    ts("2026-06-02 15:00:00"), ts("2026-06-03 09:00:00")),
            RowFactory.create(3, 30, ts("2026-06-01 08:00:00"), ts("2026-06-01 08:00:00"), false, null,
                    ts("2026-06-01 09:00:00")));

    @Test
    void aRowDeletedBeforeAnyLandingIsRebuiltFromItsImage() {
        List<Row> current = CurrentVersions.current(versions(), deletes())
                .select(SHOWN[0], java.util.Arrays.copyOfRange(SHOWN, 1, SHOWN.length)).orderBy("id").collectAsList();
        assertEquals(EXPECTED, current);
    }

    @Test
    void landingByLandingEqualsAllHistoryAtOnce() {
        Column firstLanding = col("_ingested_at").equalTo(ts("2026-06-01 09:00:00"));
        Dataset<Row> silver = CurrentVersions.current(versions().where(firstLanding), deletes().where("false"));
        // the second and third landings: a new version of 1, the deletes of 1 and 2
        Dataset<Row> newVersions = versions().where(functions.not(firstLanding));
        Dataset<Row> touched = newVersions.select("id").union(deletes().select(col("row_id").as("id"))).distinct();
        Dataset<Row> changed = CurrentVersions.since(silver.join(touched, "id"), newVersions, deletes());
        Dataset<Row> merged = silver.join(touched, new String[] {"id"}, "left_anti").unionByName(changed);
        assertEquals(EXPECTED, merged.select(SHOWN[0], java.util.Arrays.copyOfRange(SHOWN, 1, SHOWN.length))
                .orderBy("id").collectAsList());
    }

    private Dataset<Row> versions() {
        StructType cartSchema = new StructType().add("id", DataTypes.IntegerType).add("customer_id", DataTypes.IntegerType)
                .add("created_at", DataTypes.TimestampType).add("updated_at", DataTypes.TimestampType)
                .add("_ingested_at", DataTypes.TimestampType).add("_source", DataTypes.StringType)
                .add("_run_id", DataTypes.StringType);
        Dataset<Row> versions = spark.createDataFrame(List.of(
                RowFactory.create(1, 10, ts("2026-06-01 08:00:00"), ts("2026-06-01 08:00:00"), ts("2026-06-01 09:00:00"), "pg", "r1"),
                RowFactory.create(1, 10, ts("2026-06-01 08:00:00"), ts("2026-06-01 08:30:00"), ts("2026-06-02 09:00:00"), "pg", "r2"),
                RowFactory.create(3, 30, ts("2026-06-01 08:00:00"), ts("2026-06-01 08:00:00"), ts("2026-06-01 09:00:00"), "pg", "r1")),
                cartSchema);
        return versions;
    }

    private Dataset<Row> deletes() {
        StructType deleteSchema = new StructType().add("row_id", DataTypes.IntegerType)
                .add("deleted_at", DataTypes.TimestampType).add("old_row", DataTypes.StringType)
                .add("_ingested_at", DataTypes.TimestampType);
        Dataset<Row> deletes = spark.createDataFrame(List.of(
                // landed, then deleted: its last landed version, flagged
                RowFactory.create(1, ts("2026-06-02 12:00:00"), "{\"id\": 1, \"customer_id\": 10, "
                        + "\"created_at\": \"2026-06-01T08:00:00+00:00\", \"updated_at\": \"2026-06-01T08:30:00+00:00\"}",
                        ts("2026-06-03 09:00:00")),
                // created and deleted between two landings: rebuilt from the image
                RowFactory.create(2, ts("2026-06-02 15:00:00"), "{\"id\": 2, \"customer_id\": 20, "
                        + "\"created_at\": \"2026-06-02T10:00:00.25+00:00\", \"updated_at\": \"2026-06-02T14:59:59.123456+00:00\"}",
                        ts("2026-06-03 09:00:00"))),
                deleteSchema);
        return deletes;
    }
}
