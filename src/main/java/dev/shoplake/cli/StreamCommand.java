package dev.shoplake.cli;

import static dev.shoplake.cli.Lakehouse.say;

import dev.shoplake.config.LakehouseConfig;
import java.util.List;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse stream}: the streaming job, with its live numbers printed as it goes. */
@Command(name = "stream", description = "Run the streaming job: Kafka events into gold facts and live metrics, "
        + "exactly once; until Ctrl-C, for --seconds, or (--available-now) until caught up.")
final class StreamCommand implements java.util.concurrent.Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--available-now", description = "Process what Kafka holds now, then stop.")
    boolean availableNow;

    @Option(names = "--seconds", description = "Stop after this many seconds (0: run until Ctrl-C; default: "
            + "${DEFAULT-VALUE}).", defaultValue = "0")
    long seconds;

    @Option(names = "--print-every", description = "Seconds between live metric printouts (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    long printEvery;

    @Override
    public Integer call() {
        return parent.withLake("shoplake-stream", (spark, config) -> {
            var stream = new dev.shoplake.streaming.EventStream(spark, config);
            stream.start(availableNow);
            Runtime.getRuntime().addShutdownHook(new Thread(stream::stop));
            long deadline = seconds > 0 ? System.currentTimeMillis() + seconds * 1000 : Long.MAX_VALUE;
            try {
                boolean stopped = false;
                while (!stopped && System.currentTimeMillis() < deadline) {
                    stopped = stream.awaitStopped(Math.min(printEvery * 1000,
                            Math.max(1, deadline - System.currentTimeMillis())));
                    printLive(spark, config);
                }
            } catch (org.apache.spark.sql.streaming.StreamingQueryException e) {
                throw new IllegalStateException("streaming query failed: " + e.getMessage(), e);
            }
            stream.stop();
            printStream(spark, config);
            return 0;
        });
    }

    /** The live dashboard's numbers: the last minutes of traffic and the stock alerts. */
    static void printLive(org.apache.spark.sql.SparkSession spark, LakehouseConfig config) {
        spark.sql("""
                SELECT date_format(minute, 'yyyy-MM-dd HH:mm') AS minute, sessions, page_views, store_actions,
                       carts_created, checkouts, orders_paid, revenue
                FROM gold.live_traffic_minute
                WHERE date_key = (SELECT max(date_key) FROM gold.live_traffic_minute)
                ORDER BY minute DESC LIMIT 3""").collectAsList().forEach(r -> say(
                String.format("  %s  sessions %,d  page views %,d  store actions %,d  carts %,d  checkouts %,d  paid %,d"
                        + "  revenue %s", r.getString(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
                        r.getLong(5), r.getLong(6), r.get(7))));
        Row alerts = spark.sql("SELECT count(*), count_if(stock_level = 0) FROM gold.stock_current WHERE stock_level < "
                + config.streaming().stockAlertBelow()).first();
        say(String.format("  stock alerts (below %d): %d product(s), %d out of stock",
                config.streaming().stockAlertBelow(), alerts.getLong(0), alerts.getLong(1)));
    }

    /** What the stream has written, by table name. */
    static void printStream(org.apache.spark.sql.SparkSession spark, LakehouseConfig config) {
        for (String table : List.of("gold.fact_cart_activity", "gold.fact_product_stock", "gold.stock_current",
                "gold.live_traffic_minute", "gold.live_traffic_increments", "bronze.events_quarantine")) {
            say(String.format("  %-28s %,10d", table, spark.table(table).count()));
        }
        Row progress = spark.sql("""
                SELECT count(*), coalesce(sum(input_rows), 0), percentile_approx(duration_ms, 0.5),
                       percentile_approx(max_latency_ms, 0.5)
                FROM ops.stream_progress WHERE query = 'gold_facts' AND input_rows > 0""").first();
        say(String.format("  micro-batches %,d, records %,d, median batch %s ms, median latency %s ms",
                progress.getLong(0), progress.getLong(1), progress.get(2), progress.get(3)));
        dev.shoplake.pipeline.BatchPipeline.printWaiting(Lakehouse::say,
                dev.shoplake.ops.WaitingFacts.counts(new dev.shoplake.lake.DeltaWriter(spark, config.lakeRoot())));
    }
}
