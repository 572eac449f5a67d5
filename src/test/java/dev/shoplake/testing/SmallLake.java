package dev.shoplake.testing;

import dev.shoplake.bronze.BronzeJob;
import dev.shoplake.bronze.ReportLandingZone;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.gold.GoldJob;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.ops.JobRun;
import dev.shoplake.silver.SilverJob;
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

    private SmallLake(Settings settings, LakehouseConfig config) {
        this.settings = settings;
        this.config = config;
    }

    public static synchronized SmallLake get() {
        if (instance == null) {
            TestStack stack = TestStack.get();
            Settings settings = stack.freshShopSettings().with("spark.lakehouse.sim.ticks-per-day", "3");
            LakehouseConfig config = stack.config(settings);
            SparkSession spark = TestSpark.forLake(settings, config);
            ReportLandingZone zone = new ReportLandingZone(config.lakeRoot(), spark.sparkContext().hadoopConfiguration());
            TestStack.simulate(config, 0, Instant.parse(FIRST_DAY + "T00:00:00Z"), 11);
            for (int d = 0; d < DAYS; d++) {
                TestStack.simulate(config, 1, null, 11);
                zone.fetchNew(config.ftp());
            }
            batch(spark, config);
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
            instance = new SmallLake(settings, config);
        }
        return instance;
    }

    /** The shared test session, pointed at this lake. */
    public SparkSession spark() {
        return TestSpark.forLake(settings, config);
    }

    public LakehouseConfig config() {
        return config;
    }

    public Settings settings() {
        return settings;
    }

    public static LocalDate lastDay() {
        return FIRST_DAY.plusDays(DAYS - 1);
    }

    public static void batch(SparkSession spark, LakehouseConfig config) {
        DeltaWriter writer = new DeltaWriter(spark, config.lakeRoot());
        BronzeJob.run(spark, config);
        new SilverJob(spark, writer, config.batchParallelTables()).run(new JobRun("silver"));
        JobRun gold = new JobRun("gold");
        new GoldJob(spark, writer, config.batchParallelTables()).run(gold);
        gold.record(spark, writer);
    }
}
