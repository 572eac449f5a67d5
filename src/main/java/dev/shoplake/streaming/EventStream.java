package dev.shoplake.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.FaultPoints;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.TableTasks;
import dev.shoplake.source.events.EventTopic;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job: one Structured Streaming query ({@value #FACTS}) over the simulator's Kafka
 * topics, its checkpoint under the lake. Each micro-batch is read onto the driver with one Spark
 * job ({@link LiveBatch}), then each live table gets its writer's one commit, side by side: the
 * cart actions and stock changes ({@link FactAppender}), the traffic minutes
 * ({@link TrafficMinutesWriter}), the quarantine. A replayed micro-batch is skipped by Delta's
 * transaction id, a message sent twice by its event id. gold.stock_current and compaction run on
 * their own cadence beside it ({@link StreamUpkeep}), and so do the late dimension keys
 * ({@link LateKeys}). Exactly once therefore holds across restarts and kill -9: Kafka offsets come
 * back from the checkpoint, and every write is idempotent for a replayed batch.
 */
public final class EventStream {
    public static final String FACTS = "gold_facts";
    /** Fault points (see {@link FaultPoints}): a micro-batch's start, and its end before Spark commits it. */
    public static final String BATCH_PLANNED = "stream:batch-planned";
    public static final String BATCH_WRITTEN = "stream:batch-written";
    /** The minutes a live view shows: the hour before the newest event. */
    private static final long LIVE_WINDOW_MS = 3_600_000L;
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    private static final StructType DIM_CUSTOMER = new StructType().add("customer_id", DataTypes.IntegerType)
            .add("valid_from", DataTypes.TimestampType).add("valid_to", DataTypes.TimestampType)
            .add("customer_key", DataTypes.LongType);
    private static final StructType DIM_PRODUCT = new StructType().add("product_id", DataTypes.IntegerType)
            .add("valid_from", DataTypes.TimestampType).add("valid_to", DataTypes.TimestampType)
            .add("product_key", DataTypes.LongType);
    /** A stock change as a live view takes it ({@link LiveListener.Batch#stock}). */
    private static final StructType STOCK_SEEN = new StructType().add("product_id", DataTypes.IntegerType)
            .add("stock_level", DataTypes.IntegerType).add("event_time", DataTypes.TimestampType)
            .add("stream_position", DataTypes.LongType).add("event_id", DataTypes.StringType);

    private final SparkSession spark;
    private final DeltaWriter writer;
    private final LakehouseConfig config;
    private final Map<String, EventTopic> topics = new LinkedHashMap<>();
    private final List<StreamingQuery> queries = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final DimensionCache dimensions;
    private final DimensionKeys keys = new DimensionKeys();
    private final FactAppender cartFacts;
    private final FactAppender stockFacts;
    private final TrafficMinutes trafficMinutes;
    private final StockCurrentWriter stockCurrent;
    private final LateKeys lateKeys;
    /** Held while the upkeep's work runs (compaction, late keys, the derived tables): one caller at a time. */
    private final java.util.concurrent.locks.ReentrantLock upkeepLock = new java.util.concurrent.locks.ReentrantLock();
    private final StreamUpkeep upkeep;
    /** How often the upkeep compacts the small files the stream's appends leave. */
    private static final long COMPACT_EVERY_MS = 300_000;
    private SparkSession streams;
    private boolean availableNow;
    private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<LiveListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final StreamProgress progress;

    public EventStream(SparkSession spark, LakehouseConfig config) {
        this.spark = spark;
        this.writer = new DeltaWriter(spark, config.lakeRoot());
        this.config = config;
        this.dimensions = new DimensionCache(spark, writer);
        this.cartFacts = new FactAppender(writer, LakeTables.GOLD_FACT_CART_ACTIVITY, StreamFacts::cartActivity);
        this.stockFacts = new FactAppender(writer, LakeTables.GOLD_FACT_PRODUCT_STOCK, StreamFacts::productStock);
        this.trafficMinutes = new TrafficMinutes(writer);
        this.stockCurrent = new StockCurrentWriter(writer);
        this.lateKeys = new LateKeys(writer);
        this.upkeep = new StreamUpkeep(spark, writer, this::catchUpDerived, upkeepLock);
        this.progress = new StreamProgress(writer, () -> List.copyOf(queries));
        for (EventTopic t : EventTopic.values()) {
            topics.put(t.topicName(config.kafka()), t);
        }
    }

    /** Hands each committed micro-batch's live figures to {@code listener} (see {@link LiveListener}). */
    public void addListener(LiveListener listener) {
        listeners.add(listener);
    }

    /** Starts the query; {@code availableNow} reads what Kafka holds now, then stops. */
    public List<StreamingQuery> start(boolean availableNow) {
        this.availableNow = availableNow;
        for (TableSpec spec : List.of(LakeTables.GOLD_FACT_CART_ACTIVITY, LakeTables.GOLD_FACT_PRODUCT_STOCK,
                LakeTables.GOLD_STOCK_CURRENT, LakeTables.GOLD_LIVE_TRAFFIC, LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS,
                LakeTables.BRONZE_EVENTS_QUARANTINE,
                LakeTables.OPS_STREAM_PROGRESS)) {
            writer.ensure(spec);
        }
        // a micro-batch is read onto the driver and written back as local rows (LiveBatch): its
        // writes have no join to plan, and each shuffle left (a day's minutes, one file per day)
        // runs inside the write's own job rather than as a job per stage, as adaptive execution would
        streams = spark.newSession();
        int partitions = config.streaming().shufflePartitions() > 0 ? config.streaming().shufflePartitions()
                : spark.sparkContext().defaultParallelism();
        streams.conf().set("spark.sql.shuffle.partitions", String.valueOf(partitions));
        streams.conf().set("spark.sql.adaptive.enabled", "false");
        // compaction is the upkeep thread's, between commits, never inside a micro-batch
        streams.conf().set("spark.databricks.delta.autoCompact.enabled", "false");
        if (!availableNow) {
            // its first run takes up what a stream killed before its last catch-up left (the shop may
            // stay quiet), beside the first micro-batch instead of before it; a catch-up run ends with it
            upkeep.start(config.streaming().stockCurrentEveryMs(), COMPACT_EVERY_MS);
        }
        progress.follow(streams);
        try {
            Dataset<Row> all = kafka(streams, topics.keySet());
            queries.add(trigger(all.writeStream().queryName(FACTS)
                    .option("checkpointLocation", config.streaming().checkpoint(config.lakeRoot(), FACTS))
                    .foreachBatch((VoidFunction2<Dataset<Row>, Long>) this::factsBatch), availableNow,
                    config.streaming().triggerInterval()).start());
        } catch (TimeoutException e) {
            throw new IllegalStateException("a streaming query did not start", e);
        }
        return List.copyOf(queries);
    }

    /** Waits until every query has stopped (availableNow) or {@code timeoutMs} passed, recording progress meanwhile. */
    public boolean awaitStopped(long timeoutMs) throws StreamingQueryException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            boolean allStopped = true;
            for (StreamingQuery q : queries) {
                allStopped &= q.awaitTermination(Math.max(1, Math.min(5_000, deadline - System.currentTimeMillis())));
            }
            progress.record();
            if (allStopped) {
                catchUpDerived(); // caught up: the derived tables too, even when there was no new batch
                return true;
            }
        }
        return false;
    }

    /** Blocks until every query has processed what Kafka holds now. */
    public void processAllAvailable() {
        queries.forEach(StreamingQuery::processAllAvailable);
        catchUpDerived();
        progress.record();
    }

    /**
     * Stops the queries (after their current micro-batch) and records the last progress, once: a
     * shutdown hook that calls it again after the command stopped it (and its session) does nothing.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        stopQueries();
        try {
            catchUpDerived(); // what the last micro-batches left for the derived tables
        } catch (RuntimeException e) {
            LOG.warn("gold.stock_current did not catch up at stop (the next start does): {}",
                    dev.shoplake.ops.JobRun.errorLine(e));
        }
        progress.record();
        dimensions.clear();
    }

    private void stopQueries() {
        upkeep.close();
        for (StreamingQuery q : queries) {
            try {
                awaitBetweenBatches(q, 60_000);
                q.stop();
            } catch (TimeoutException e) {
                LOG.warn("query {} did not stop in time", q.name());
            }
        }
        progress.close();
    }

    /**
     * Lets a micro-batch under way finish (within {@code timeoutMs}) before the query is stopped:
     * {@code stop()} interrupts the stream's thread, and an interrupted micro-batch, though redone
     * exactly once at the next start, fails with an error and a stack trace on the console.
     */
    private static void awaitBetweenBatches(StreamingQuery q, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        try {
            while (q.isActive() && q.status().isTriggerActive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static DataStreamWriter<Row> trigger(DataStreamWriter<Row> w, boolean availableNow, String interval) {
        return availableNow ? w.trigger(Trigger.AvailableNow()) : w.trigger(Trigger.ProcessingTime(interval));
    }

    private Dataset<Row> kafka(SparkSession session, java.util.Collection<String> topicNames) {
        return session.readStream().format("kafka")
                .option("kafka.bootstrap.servers", config.kafka().bootstrapServers())
                .option("subscribe", String.join(",", topicNames))
                .option("startingOffsets", config.streaming().startingOffsets())
                .option("maxOffsetsPerTrigger", config.streaming().maxOffsetsPerTrigger())
                // the simulator writes in Kafka transactions: never read an aborted one
                .option("kafka.isolation.level", "read_committed")
                // a task's last fetch ends at the log's end (after a transaction marker): the broker
                // would hold it for fetch.max.wait.ms (500 ms) per partition per micro-batch
                .option("kafka.fetch.max.wait.ms", "20")
                .load()
                // in a stream, current_timestamp() is the micro-batch's own time, kept in the offset log
                .withColumn("batch_time", current_timestamp());
    }

    private EventParser.Bounds bounds() {
        return new EventParser.Bounds(col("batch_time"), config.streaming().futureTolerance(),
                java.sql.Timestamp.from(config.streaming().earliestEventTime()));
    }

    /**
     * One micro-batch of the facts query: one Spark job reads and parses its records onto the
     * driver ({@link LiveBatch}); what is new, the dimension keys and the minutes are decided there;
     * then each table it touches gets one append or one rewrite of its days, side by side, each
     * idempotent by Delta's transaction id.
     */
    private void factsBatch(Dataset<Row> kafkaBatch, long batchId) {
        long started = System.currentTimeMillis();
        FaultPoints.reached(BATCH_PLANNED); // its offsets are in the checkpoint, nothing of it is written
        LiveBatch batch = TableTasks.forTable(spark, "(stream: read)",
                () -> LiveBatch.read(EventParser.parse(kafkaBatch, topics, bounds())));
        SparkSession session = kafkaBatch.sparkSession();
        long read = System.currentTimeMillis();
        // per checkpoint: a fresh checkpoint (a new query id) does not inherit an old one's batch ids
        String appId = "shoplake.stream." + spark.sparkContext().getLocalProperty("sql.streaming.queryId");
        Map<String, Long> written = new ConcurrentHashMap<>();
        String keyedAgainst = dimensions.versions(); // before the reads: a version moved meanwhile only makes a run due
        Dataset<Row> dimCustomer = dimensions.get(LakeTables.GOLD_DIM_CUSTOMER, DIM_CUSTOMER);
        Dataset<Row> dimProduct = dimensions.get(LakeTables.GOLD_DIM_PRODUCT, DIM_PRODUCT);
        StructType keyedSchema = batch.schema().add("customer_key", DataTypes.LongType).add("product_key", DataTypes.LongType);
        List<Row> cart = keyed(batch.usable(LiveBatch.CART), keyedSchema, dimCustomer, dimProduct);
        List<Row> stock = keyed(batch.usable(LiveBatch.STOCK), keyedSchema, dimCustomer, dimProduct);
        List<Row> traffic = batch.usable(LiveBatch.TRAFFIC);
        List<Row> errors = batch.errors();
        java.util.function.Function<List<Row>, Dataset<Row>> frame = rows -> session.createDataFrame(rows, keyedSchema);
        // each table is its own commit: write them side by side (a commit is mostly driver-side latency)
        List<Runnable> writes = new ArrayList<>();
        for (var table : List.of(Map.entry(cartFacts, cart), Map.entry(stockFacts, stock))) {
            if (!table.getValue().isEmpty()) {
                writes.add(labelled(table.getKey().spec(), () -> written.put(table.getKey().spec().qualifiedName(),
                        table.getKey().append(table.getValue(), frame, appId, batchId))));
            }
        }
        if (!traffic.isEmpty()) {
            writes.add(labelled(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS, () -> written.put(
                    LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS.qualifiedName(), trafficMinutes.append(session, traffic, appId,
                            batchId))));
        }
        if (!errors.isEmpty()) {
            writes.add(labelled(LakeTables.BRONZE_EVENTS_QUARANTINE, () -> written.put(
                    LakeTables.BRONZE_EVENTS_QUARANTINE.qualifiedName(), writer.appendNew(
                    LakeTables.BRONZE_EVENTS_QUARANTINE,
                    batch.frame(session, errors).select(col("topic"), col("partition"), col("offset"),
                            col("kafka_timestamp"), col("raw_value"), col("error").as("reason"),
                            current_timestamp().as(LakeTables.INGESTED_AT)),
                    // a record keeps its Kafka timestamp: file statistics skip older quarantine files
                    col("kafka_timestamp").geq(LiveBatch.oldest(errors, "kafka_timestamp", r -> true)), appId, batchId))));
        }
        TableTasks.run(writes.size(), writes);
        if (Stream.concat(cart.stream(), stock.stream()).anyMatch(EventStream::waitsForKey)) {
            lateKeys.appended(keyedAgainst);
        }
        upkeep.written(LiveBatch.days(cart));
        upkeep.written(LiveBatch.days(stock));
        long wroteAt = System.currentTimeMillis();
        Timestamp oldest = batch.oldestKafkaTimestamp();
        long latency = oldest == null ? 0 : wroteAt - oldest.getTime();
        if (!listeners.isEmpty()) {
            hear(new LiveListener.Batch(batchId, Instant.now(), batch.input(), oldest == null ? null : latency,
                    traffic.isEmpty() ? -1 : trafficMinutes.incrementsVersion(), lastHour(traffic),
                    stockSeen(stock), batch.usable().stream()
                    .filter(r -> r.<Boolean>getAs(LiveBatch.CART) || r.<Boolean>getAs(LiveBatch.STOCK)
                            || r.<Boolean>getAs(LiveBatch.TRAFFIC))
                    .mapToLong(r -> wroteAt - r.<Timestamp>getAs("event_time").getTime()).toArray()));
        }
        long heardAt = System.currentTimeMillis();
        Map<String, Long> byTable = new java.util.TreeMap<>(written);
        progress.reported(spark.sparkContext().getLocalProperty("sql.streaming.queryId"), batchId, byTable, latency);
        long done = System.currentTimeMillis();
        LOG.info("{} batch {}: {} records in, written {}, {} ms (read {}, written {}, live view {}), "
                + "event-to-gold latency {} ms", FACTS, batchId, batch.input(), byTable, done - started, read - started,
                wroteAt - read, heardAt - wroteAt, latency);
        FaultPoints.reached(BATCH_WRITTEN); // every table committed, the checkpoint's commit not yet
    }

    private static boolean waitsForKey(Row keyed) {
        for (String key : List.of("customer_key", "product_key")) {
            Long k = keyed.getAs(key);
            if (k != null && k == dev.shoplake.gold.GoldModel.UNKNOWN_KEY) {
                return true;
            }
        }
        return false;
    }

    /** {@code events} with their customer_key and product_key, looked up on the driver ({@link DimensionKeys}). */
    private List<Row> keyed(List<Row> events, StructType schema, Dataset<Row> dimCustomer, Dataset<Row> dimProduct) {
        if (events.isEmpty()) {
            return events;
        }
        TableTasks.labelled(spark, "(stream: dimension keys)", () -> keys.load(dimensions.versions(), dimCustomer,
                dimProduct, events.stream().map(r -> r.<Integer>getAs("customer_id")).toList(),
                events.stream().map(r -> r.<Integer>getAs("product_id")).toList())).run();
        return LiveBatch.withColumns(events, schema, r -> new Object[] {
                keys.customerKey(r.getAs("customer_id"), r.getAs("event_time")),
                keys.productKey(r.getAs("product_id"), r.getAs("event_time"))});
    }

    /** What a live view shows of a batch's traffic: its minutes in the hour before its newest event. */
    private static List<Row> lastHour(List<Row> traffic) {
        if (traffic.isEmpty()) {
            return List.of();
        }
        Timestamp from = new Timestamp(LiveBatch.newest(traffic).getTime() - LIVE_WINDOW_MS);
        return new LiveTraffic.Minutes().add(traffic).rows().stream()
                .filter(r -> r.<Timestamp>getAs("minute").after(from)).toList();
    }

    /** A batch's stock changes as a live view takes them (it keeps the newest per product). */
    private static List<Row> stockSeen(List<Row> stock) {
        return stock.stream().<Row>map(r -> new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(
                new Object[] {r.getAs("product_id"), r.getAs("stock_level"), r.getAs("event_time"), r.getAs("offset"),
                        r.getAs("event_id")}, STOCK_SEEN)).toList();
    }

    private void hear(LiveListener.Batch live) {
        for (LiveListener l : listeners) {
            try {
                l.onBatch(live);
            } catch (RuntimeException e) {
                LOG.warn("a live listener failed: {}", e.toString());
            }
        }
    }

    /** {@code write}, its Spark jobs labelled with {@code spec}'s name (the bench counts a micro-batch's jobs per table). */
    private Runnable labelled(TableSpec spec, Runnable write) {
        return TableTasks.labelled(spark, spec.qualifiedName(), write);
    }

    /**
     * What the stream's own tables leave to do, on the upkeep's cadence and whenever the stream has
     * processed what Kafka holds: the derived tables (gold.stock_current from the stock facts,
     * gold.live_traffic_minute from the traffic increments) catch up, and facts that arrived before
     * their dimension version get its key ({@link LateKeys}). One caller at a time: compaction and
     * the late keys rewrite the same files.
     */
    private void catchUpDerived() {
        upkeepLock.lock();
        try {
            TableTasks.forTable(spark, LakeTables.GOLD_STOCK_CURRENT.qualifiedName(), stockCurrent::catchUp);
            TableTasks.forTable(spark, LakeTables.GOLD_LIVE_TRAFFIC.qualifiedName(), trafficMinutes::catchUp);
            Map<String, Long> resolved = TableTasks.forTable(spark, "(stream: late keys)", () -> {
                Dataset<Row> dimCustomer = dimensions.get(LakeTables.GOLD_DIM_CUSTOMER, DIM_CUSTOMER);
                Dataset<Row> dimProduct = dimensions.get(LakeTables.GOLD_DIM_PRODUCT, DIM_PRODUCT);
                return lateKeys.resolve(dimensions.versions(), dimensions.noneExists(), dimCustomer, dimProduct);
            });
            if (!resolved.isEmpty()) {
                LOG.info("{}: facts given their late dimension keys {}", FACTS, resolved);
            }
        } finally {
            upkeepLock.unlock();
        }
    }
}
