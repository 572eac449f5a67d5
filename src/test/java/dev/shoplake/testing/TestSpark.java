package dev.shoplake.testing;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.LakeSession;
import org.apache.spark.sql.SparkSession;

/** One SparkSession for the whole test JVM (a session costs seconds), pointed at each test's lake. */
public final class TestSpark {
    private static SparkSession spark;

    private TestSpark() {
    }

    /** The session, for pure transformations that touch no table. */
    public static synchronized SparkSession session() {
        if (spark == null) {
            try {
                java.nio.file.Path lake = java.nio.file.Files.createTempDirectory("shoplake-lake-");
                Settings settings = Settings.of(java.util.Map.of("spark.lakehouse.lake.root", lake.toString()));
                return forLake(settings, LakehouseConfig.from(settings, java.util.Map.of()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return spark;
    }

    public static synchronized SparkSession forLake(Settings settings, LakehouseConfig config) {
        if (spark == null) {
            Settings test = settings
                    .with("spark.master", "local[2]")
                    .with("spark.sql.shuffle.partitions", "2")
                    .with("spark.default.parallelism", "2")
                    .with("spark.databricks.delta.snapshotPartitions", "1")
                    .with("spark.ui.enabled", "false")
                    .with("spark.sql.adaptive.enabled", "false")
                    .with("spark.sql.adaptive.coalescePartitions.initialPartitionNum", "2")
                    .with("spark.sql.codegen.wholeStage", "false")
                    .with("spark.sql.codegen.factoryMode", "NO_CODEGEN");
            spark = LakeSession.open("shoplake-tests", test, config);
            Runtime.getRuntime().addShutdownHook(new Thread(spark::stop));
        }
        LakeSession.switchLake(spark, config.lakeRoot());
        return spark;
    }
}
