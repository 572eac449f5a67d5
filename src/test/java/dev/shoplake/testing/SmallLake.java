package dev.shoplake.testing;

import dev.shoplake.bronze.ReportLandingZone;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.pipeline.BatchPipeline;
import dev.shoplake.streaming.EventStream;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;

/**
 * One small simulated shop through the whole lakehouse, shared by the tests of the surfaces (SQL,
 * dashboard, notebooks): {@value #DAYS} days from {@link #FIRST_DAY}, each day's report kept in the
 * landing zone on its day (as the demo does), then the batch and the stream (caught up).
 */
public final class SmallLake {
    public static final LocalDate FIRST_DAY = LocalDate.parse("2026-05-01");
    public static final int DAYS = 12;
    private static SmallLake instance;

    private final Settings settings;
    private final LakehouseConfig config;
    private final BatchPipeline.Outcome firstBatch;
    /**
     * The shop as it was built, kept aside: a copy is taken from a database no session is connected
     * to, and a test that moves the shared shop on cannot change what the next copy starts from.
     */
    private final Settings asBuilt;

    private SmallLake(Settings settings, LakehouseConfig config, BatchPipeline.Outcome firstBatch, Settings asBuilt) {
        this.settings = settings;
        this.config = config;
        this.firstBatch = firstBatch;
        this.asBuilt = asBuilt;
    }

    public static synchronized SmallLake get() {
        if (instance == null) {
            TestStack stack = TestStack.get();
            Settings settings = stack.freshShopSettings().with("spark.lakehouse.sim.ticks-per-day", "3");
            LakehouseConfig config = stack.config(settings);
            // built by path in a session of its own: the classes on the JVM's session may run beside the build
            SparkSession spark = TestSpark.isolated();
            ReportLandingZone zone = new ReportLandingZone(config.lakeRoot(), spark.sparkContext().hadoopConfiguration());
            TestStack.simulate(config, 0, Instant.parse(FIRST_DAY + "T00:00:00Z"), 11);
            for (int d = 0; d < DAYS; d++) {
                TestStack.simulate(config, 1, null, 11);
                zone.fetchNew(config.ftp());
            }
            BatchPipeline.Outcome first = batch(spark, config);
            EventStream stream = new EventStream(spark, config);
            stream.start(true);
            try {
                if (!stream.awaitStopped(600_000)) {
                    throw new IllegalStateException("the stream did not catch up in 10 minutes");
                }
            } catch (org.apache.spark.sql.streaming.StreamingQueryException e) {
                throw new IllegalStateException(e);
            }
            stream.stop();
            instance = new SmallLake(settings, config, first, stack.copyOfShop(settings));
        }
        return instance;
    }

    /** The shared test session, pointed at this lake by name (for a class that holds {@link TestSpark#SESSION}). */
    public SparkSession spark() {
        return TestSpark.forLake(settings, config);
    }

    /** A table of this lake by path, for SQL in a {@link TestSpark#isolated} session: {@code delta.`...`}. */
    public String at(dev.shoplake.lake.TableSpec table) {
        return "delta.`" + table.path(config.lakeRoot()) + "`";
    }

    public LakehouseConfig config() {
        return config;
    }

    public Settings settings() {
        return settings;
    }

    /** The lake's first batch, as 'lakehouse batch' ran it (its data tests included). */
    public BatchPipeline.Outcome firstBatch() {
        return firstBatch;
    }

    /**
     * A shop of its own that starts where this one stood when built (its database, lake and FTP
     * directory copied; new, empty topics), for a test that writes ({@link TestStack#copyOfShop}).
     */
    public Settings copy() {
        return TestStack.get().copyOfShop(asBuilt);
    }

    /** The shop as it was built, to read only (a test that writes takes a {@link #copy}). */
    public LakehouseConfig asBuilt() {
        return TestStack.get().config(asBuilt);
    }

    /** A session on the lake as it was built. */
    public SparkSession asBuiltSpark() {
        return TestSpark.forLake(asBuilt, asBuilt());
    }

    public static LocalDate lastDay() {
        return FIRST_DAY.plusDays(DAYS - 1);
    }

    /** Runs the batch as 'lakehouse batch' does: bronze, silver, gold, then the data tests of what it wrote. */
    public static BatchPipeline.Outcome batch(SparkSession spark, LakehouseConfig config) {
        return BatchPipeline.run(spark, config, false, line -> { });
    }
}
