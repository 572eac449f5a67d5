package dev.shoplake.testing;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.LakeSession;
import org.apache.spark.sql.SparkSession;

/** One SparkSession for the whole test JVM (a session costs seconds), pointed at each test's lake. */
public final class TestSpark {
    /**
     * The integration classes run two at a time; those that use this JVM's session hold this lock
     * (JUnit's {@code @ResourceLock}), because the session's catalog names one lake at a time.
     */
    public static final String SESSION = "dev.shoplake.testing.TestSpark.session";
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

    /**
     * A session of its own on this JVM's Spark, for a class that reads and writes its lake by path
     * only ({@code DeltaWriter}, {@code delta.`path`}) and so needs no {@link #SESSION} lock: its
     * temporary views and settings are its own, and it names no table in the shared catalog.
     */
    public static SparkSession isolated() {
        SparkSession own = session().newSession();
        own.conf().set(dev.shoplake.lake.LakeSession.NAMES_ON_WRITE, "false");
        return own;
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
