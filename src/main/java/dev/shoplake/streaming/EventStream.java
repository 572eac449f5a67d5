package dev.shoplake.streaming;

import static dev.shoplake.gold.GoldModel.dateKey;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.gold.GoldModel;
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
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job: one Structured Streaming query ({@value #FACTS}) over the simulator's Kafka
 * topics, its checkpoint under the lake. Each micro-batch parses its records once, quarantines
 * what cannot be used, appends the cart actions and stock changes to gold (a replayed micro-batch
 * is skipped by Delta's transaction id, a message sent twice by its event id), moves
 * {@code gold.stock_current} forward, and adds the batch's traffic to the minutes of
 * {@code gold.live_traffic_minute} (the touched days rewritten under the same transaction id: no
 * state store, and a late event counts in its own minute).
 * Exactly once therefore holds across restarts and kill -9: Kafka offsets come back from the
 * checkpoint, and every write is idempotent for a replayed batch.
 */
public final class EventStream {
    public static final String FACTS = "gold_facts";
    /** Fault points (see {@link FaultPoints}): a micro-batch's start, and its end before Spark commits it. */
    public static final String BATCH_PLANNED = "stream:batch-planned";
    public static final String BATCH_WRITTEN = "stream:batch-written";
    /** The transaction id under which gold.stock_current records the stock facts version it took. */
    private static final String STOCK_FEED = "shoplake.stock_current.from_fact_product_stock";
    /** The minutes a live view shows: the hour before the newest event. */
    private static final long LIVE_WINDOW_MS = 3_600_000L;
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    private static final StructType DIM_CUSTOMER = new StructType().add("customer_id", DataTypes.IntegerType)
            .add("valid_from", DataTypes.TimestampType).add("valid_to", DataTypes.TimestampType)
            .add("customer_key", DataTypes.LongType);
    private static final StructType DIM_PRODUCT = new StructType().add("product_id", DataTypes.IntegerType)
            .add("valid_from", DataTypes.TimestampType).add("valid_to", DataTypes.TimestampType)
            .add("product_key", DataTypes.LongType);

    private final SparkSession spark;
    private final DeltaWriter writer;
    private final LakehouseConfig config;
    private final Map<String, EventTopic> topics = new LinkedHashMap<>();
    /** Per (query id, batch id): rows written per table and latency, for ops.stream_progress. */
    private final Map<String, BatchOutcome> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Long> progressWritten = new ConcurrentHashMap<>();
    private final List<StreamingQuery> queries = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final DimensionCache dimensions;
    /** The dimension versions the waiting facts were last resolved against. */
    private String resolvedAtVersions = "";
    /** Writes ops.stream_progress as micro-batches end, wherever the stream runs (demo, command, tests). */
    private final java.util.concurrent.ScheduledExecutorService progressWriter = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "stream-progress");
                t.setDaemon(true);
                return t;
            });
    private final java.util.concurrent.atomic.AtomicBoolean progressPending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long progressWrittenAt;
    private static final long PROGRESS_EVERY_MS = 5_000;
    private SparkSession streams;
    private boolean availableNow;
    private volatile long stockMovedAt;
    private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<LiveListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private org.apache.spark.sql.streaming.StreamingQueryListener progressListener;

    record BatchOutcome(Map<String, Long> rowsWritten, long maxLatencyMs) {
    }

    public EventStream(SparkSession spark, LakehouseConfig config) {
        this.spark = spark;
        this.writer = new DeltaWriter(spark, config.lakeRoot());
        this.config = config;
        this.dimensions = new DimensionCache(spark, writer);
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
                LakeTables.GOLD_STOCK_CURRENT, LakeTables.GOLD_LIVE_TRAFFIC, LakeTables.BRONZE_EVENTS_QUARANTINE,
                LakeTables.OPS_STREAM_PROGRESS)) {
            writer.ensure(spec);
        }
        // a micro-batch runs without adaptive execution (Spark turns it off for streams), so every
        // shuffle and every state store has spark.sql.shuffle.partitions tasks: 200 by default, most
        // of a small micro-batch's time on a few cores
        streams = spark.newSession();
        int partitions = config.streaming().shufflePartitions() > 0 ? config.streaming().shufflePartitions()
                : spark.sparkContext().defaultParallelism();
        streams.conf().set("spark.sql.shuffle.partitions", String.valueOf(partitions));
        // a micro-batch a second adds a small file per table and day it touches: Delta compacts a
        // partition once it holds 20 of them, so that reads and the log's state stay small
        streams.conf().set("spark.databricks.delta.autoCompact.enabled", "true");
        streams.conf().set("spark.databricks.delta.autoCompact.minNumFiles", "20");
        // adaptive execution stays on for the stream even where a local configuration turns it off
        // for the batch: measured, a live micro-batch took a median 9.5 s with it and 18 s without
        // (its joins are planned from what a micro-batch really holds)
        streams.conf().set("spark.sql.adaptive.enabled", "true");
        progressListener = new ProgressListener();
        streams.streams().addListener(progressListener);
        // what a stream killed before its last catch-up left (the shop may stay quiet: no batch would come)
        moveStockForward();
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
            recordProgress();
            if (allStopped) {
                moveStockForward(); // caught up: gold.stock_current too, even when there was no new batch
                return true;
            }
        }
        return false;
    }

    /** Blocks until every query has processed what Kafka holds now. */
    public void processAllAvailable() {
        queries.forEach(StreamingQuery::processAllAvailable);
        recordProgress();
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
            moveStockForward(); // what the last micro-batches left for gold.stock_current
        } catch (RuntimeException e) {
            LOG.warn("gold.stock_current did not catch up at stop (the next start does): {}",
                    dev.shoplake.ops.JobRun.errorLine(e));
        }
        recordProgress();
        dimensions.clear();
    }

    private void stopQueries() {
        if (progressListener != null) {
            streams.streams().removeListener(progressListener);
        }
        progressWriter.shutdown();
        for (StreamingQuery q : queries) {
            try {
                awaitBetweenBatches(q, 60_000);
                q.stop();
            } catch (TimeoutException e) {
                LOG.warn("query {} did not stop in time", q.name());
            }
        }
        try {
            progressWriter.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /**
     * Records progress after each micro-batch, off the stream's own thread: one write at a time,
     * and batches that end while one is being written go into the next.
     */
    private final class ProgressListener extends org.apache.spark.sql.streaming.StreamingQueryListener {
        @Override
        public void onQueryStarted(QueryStartedEvent event) {
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            if (progressPending.compareAndSet(false, true)) {
                try {
                    // at most one write every few seconds: each is a commit, and the stream commits every second
                    long wait = Math.max(0, progressWrittenAt + PROGRESS_EVERY_MS - System.currentTimeMillis());
                    progressWriter.schedule(() -> {
                        progressPending.set(false);
                        progressWrittenAt = System.currentTimeMillis();
                        try {
                            recordProgress();
                        } catch (RuntimeException e) {
                            LOG.warn("recording stream progress failed (the next micro-batch tries again): {}",
                                    dev.shoplake.ops.JobRun.errorLine(e));
                        }
                    }, wait, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    progressPending.set(false); // stop() records the last progress itself
                }
            }
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
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
     * One micro-batch of the facts query: one Spark job sizes the batch (records, errors, the days
     * it touches), then each table it touches gets one append (facts, quarantine: idempotent by
     * Delta transaction id and by key) or one MERGE ({@code stock_current}: only the batch's products).
     */
    private void factsBatch(Dataset<Row> kafkaBatch, long batchId) {
        long started = System.currentTimeMillis();
        FaultPoints.reached(BATCH_PLANNED); // its offsets are in the checkpoint, nothing of it is written
        Dataset<Row> events = EventParser.parse(kafkaBatch, topics, bounds()).cache();
        try {
            Column usable = col("error").isNull();
            Row shape = TableTasks.forTable(spark, "(stream: sizing)", () -> events.agg(count("*"),
                    count_if(usable.unary_$bang()), min("kafka_timestamp"),
                    collect_set(when(usable.and(StreamFacts.isCartAction()), dateKey(col("event_time")))),
                    collect_set(when(usable.and(StreamFacts.isStockChange()), dateKey(col("event_time")))),
                    min(when(usable.unary_$bang(), col("kafka_timestamp"))),
                    collect_set(when(usable.and(LiveTraffic.isTraffic()), dateKey(col("event_time")))),
                    max(when(usable.and(LiveTraffic.isTraffic()), col("event_time"))),
                    min(when(usable, col("event_time"))), max(when(usable, col("event_time")))).first());
            long input = shape.getLong(0);
            long sized = System.currentTimeMillis();
            List<Integer> cartDays = shape.getList(3);
            List<Integer> stockDays = shape.getList(4);
            List<Integer> trafficDays = shape.getList(6);
            // per checkpoint: a fresh checkpoint (a new query id) does not inherit an old one's batch ids
            String appId = "shoplake.stream." + spark.sparkContext().getLocalProperty("sql.streaming.queryId");
            Map<String, Long> written = new ConcurrentHashMap<>();
            Dataset<Row> dimCustomer = dimensions.get(LakeTables.GOLD_DIM_CUSTOMER, DIM_CUSTOMER);
            Dataset<Row> dimProduct = dimensions.get(LakeTables.GOLD_DIM_PRODUCT, DIM_PRODUCT);
            Dataset<Row> stock = StreamFacts.productStock(events, dimProduct).cache();
            // a message sent twice carries its event's own time: only the facts files whose event times
            // overlap the batch's can hold it (file statistics skip the rest of the day)
            Column sameTimes = shape.isNullAt(8) ? functions.lit(false)
                    : col("event_time").between(shape.getTimestamp(8), shape.getTimestamp(9));
            // each table is its own commit: write them side by side (a commit is mostly driver-side latency)
            List<Runnable> writes = new ArrayList<>();
            long[] wroteAt = new long[1];
            if (!cartDays.isEmpty()) {
                writes.add(labelled(LakeTables.GOLD_FACT_CART_ACTIVITY, () -> written.put(
                        LakeTables.GOLD_FACT_CART_ACTIVITY.qualifiedName(), writer.appendNew(
                        LakeTables.GOLD_FACT_CART_ACTIVITY, StreamFacts.cartActivity(events, dimCustomer, dimProduct),
                        col("date_key").isin(cartDays.toArray()).and(sameTimes), appId, batchId))));
            }
            if (!stockDays.isEmpty()) {
                writes.add(labelled(LakeTables.GOLD_FACT_PRODUCT_STOCK, () -> written.put(
                        LakeTables.GOLD_FACT_PRODUCT_STOCK.qualifiedName(), writer.appendNew(
                        LakeTables.GOLD_FACT_PRODUCT_STOCK, stock, col("date_key").isin(stockDays.toArray()).and(sameTimes),
                        appId, batchId))));
            }
            Dataset<Row> counted = LiveTraffic.perMinute(StreamFacts.usable(events).where(LiveTraffic.isTraffic()));
            List<Row> liveMinutes = List.of();
            if (!trafficDays.isEmpty()) {
                if (!listeners.isEmpty()) {
                    // what a live view shows: the last hour of minutes (a backlog's older days stay in the table)
                    liveMinutes = counted.where(col("minute").gt(new Timestamp(shape.getTimestamp(7).getTime()
                            - LIVE_WINDOW_MS))).collectAsList();
                }
                // the days the batch's traffic falls on, rewritten with the batch's counts added
                Dataset<Row> held = writer.read(LakeTables.GOLD_LIVE_TRAFFIC).where(col("date_key").isin(trafficDays.toArray()));
                writes.add(labelled(LakeTables.GOLD_LIVE_TRAFFIC, () -> written.put(
                        LakeTables.GOLD_LIVE_TRAFFIC.qualifiedName(), writer.replacePartitions(
                        LakeTables.GOLD_LIVE_TRAFFIC, LiveTraffic.add(held, counted), trafficDays, appId, batchId))));
            }
            List<Row> liveStock = !listeners.isEmpty() && !stockDays.isEmpty()
                    ? StreamFacts.latestStock(stock).collectAsList() : List.of();
            if (shape.getLong(1) > 0) {
                writes.add(labelled(LakeTables.BRONZE_EVENTS_QUARANTINE, () -> written.put(
                        LakeTables.BRONZE_EVENTS_QUARANTINE.qualifiedName(), writer.appendNew(
                        LakeTables.BRONZE_EVENTS_QUARANTINE,
                        events.where(col("error").isNotNull()).select(col("topic"), col("partition"), col("offset"),
                                col("kafka_timestamp"), col("raw_value"), col("error").as("reason"),
                                current_timestamp().as(LakeTables.INGESTED_AT)),
                        // a record keeps its Kafka timestamp: file statistics skip older quarantine files
                        col("kafka_timestamp").geq(shape.getTimestamp(5)), appId, batchId))));
            }
            try {
                TableTasks.run(writes.size(), writes);
                wroteAt[0] = System.currentTimeMillis();
            } finally {
                stock.unpersist();
            }
            if (stockCurrentDue()) {
                written.put(LakeTables.GOLD_STOCK_CURRENT.qualifiedName(), TableTasks.forTable(spark,
                        LakeTables.GOLD_STOCK_CURRENT.qualifiedName(), this::moveStockForward));
            }
            long stockAt = System.currentTimeMillis();
            long latency = shape.isNullAt(2) ? 0 : System.currentTimeMillis() - shape.getTimestamp(2).getTime();
            if (!listeners.isEmpty()) {
                LiveListener.Batch live = new LiveListener.Batch(batchId, Instant.now(), input, shape.isNullAt(2) ? null
                        : latency, trafficDays.isEmpty() ? -1 : writer.version(LakeTables.GOLD_LIVE_TRAFFIC), liveMinutes,
                        liveStock);
                for (LiveListener l : listeners) {
                    try {
                        l.onBatch(live);
                    } catch (RuntimeException e) {
                        LOG.warn("a live listener failed: {}", e.toString());
                    }
                }
            }
            long heardAt = System.currentTimeMillis();
            written.putAll(TableTasks.forTable(spark, "(stream: late keys)", () -> resolveLateKeys(dimCustomer, dimProduct)));
            Map<String, Long> byTable = new java.util.TreeMap<>(written);
            outcome(FACTS, batchId, byTable, latency);
            long done = System.currentTimeMillis();
            LOG.info("{} batch {}: {} records in, written {}, {} ms (sized {}, written {}, stock_current {}, live view {}, "
                    + "late keys {}), event-to-gold latency {} ms", FACTS, batchId, input, byTable, done - started,
                    sized - started, wroteAt[0] - sized, stockAt - wroteAt[0], heardAt - stockAt, done - heardAt, latency);
            FaultPoints.reached(BATCH_WRITTEN); // every table committed, the checkpoint's commit not yet
        } finally {
            events.unpersist();
        }
    }

    /** {@code write}, its Spark jobs labelled with {@code spec}'s name (the bench counts a micro-batch's jobs per table). */
    private Runnable labelled(TableSpec spec, Runnable write) {
        return TableTasks.forTable(spark, spec.qualifiedName(), write);
    }

    /** Whether gold.stock_current is due to catch up with the stock facts (each batch when catching up). */
    private boolean stockCurrentDue() {
        return availableNow || System.currentTimeMillis() - stockMovedAt >= config.streaming().stockCurrentEveryMs();
    }

    /**
     * gold.stock_current catches up with gold.fact_product_stock: the stock changes committed since
     * the facts version it last took (kept in its own commits as Delta's transaction version, so a
     * restart after kill -9 takes up exactly there), each product's newest only if it is newer than
     * what the table holds. The table is one row per product: rewritten whole from what it holds and
     * the changes (two jobs, no MERGE), every few seconds rather than every micro-batch; a live view
     * in this JVM gets each batch's levels directly ({@link LiveListener}).
     */
    private long moveStockForward() {
        stockMovedAt = System.currentTimeMillis();
        long through = writer.version(LakeTables.GOLD_FACT_PRODUCT_STOCK);
        java.util.OptionalLong from = writer.appliedVersion(LakeTables.GOLD_STOCK_CURRENT, STOCK_FEED);
        if (through < 0 || (from.isPresent() && from.getAsLong() >= through)) {
            return 0;
        }
        Dataset<Row> changes;
        try {
            changes = from.isPresent() ? writer.changes(LakeTables.GOLD_FACT_PRODUCT_STOCK, from.getAsLong(), through)
                    : writer.readAt(LakeTables.GOLD_FACT_PRODUCT_STOCK, through);
        } catch (RuntimeException feedGone) { // commits older than the feed keeps (VACUUM): the table as it is
            changes = writer.readAt(LakeTables.GOLD_FACT_PRODUCT_STOCK, through);
        }
        String[] columns = LakeTables.GOLD_STOCK_CURRENT.schema().fieldNames();
        Dataset<Row> held = writer.read(LakeTables.GOLD_STOCK_CURRENT);
        Dataset<Row> latest = StreamFacts.latestStock(held.unionByName(changes.selectExpr(columns)));
        return writer.replaceAll(LakeTables.GOLD_STOCK_CURRENT, latest, STOCK_FEED, through);
    }

    /**
     * Facts that arrived before their dimension version reached gold carry key -1. When gold's
     * dimensions change (the batch ran), those facts get their keys: the late-arriving dimension
     * is resolved in the stream's own thread, so it never races the stream's inserts.
     */
    private Map<String, Long> resolveLateKeys(Dataset<Row> dimCustomer, Dataset<Row> dimProduct) {
        String versions = dimensions.versions();
        if (versions.equals(resolvedAtVersions)) {
            return Map.of();
        }
        if (dimensions.noneExists()) { // before the first batch nothing can resolve: no MERGE for nothing
            resolvedAtVersions = versions;
            return Map.of();
        }
        Map<String, Long> written = new LinkedHashMap<>();
        Dataset<Row> cartFacts = writer.read(LakeTables.GOLD_FACT_CART_ACTIVITY);
        written.put(LakeTables.GOLD_FACT_CART_ACTIVITY.qualifiedName() + " (late keys)", updateByDay(
                LakeTables.GOLD_FACT_CART_ACTIVITY, StreamFacts.resolveKeys(cartFacts.where(
                        col("customer_key").equalTo(GoldModel.UNKNOWN_KEY)
                                .or(col("product_key").equalTo(GoldModel.UNKNOWN_KEY))), dimCustomer, dimProduct),
                List.of("customer_key", "product_key")));
        Dataset<Row> stockWaiting = writer.read(LakeTables.GOLD_FACT_PRODUCT_STOCK)
                .where(col("product_key").equalTo(GoldModel.UNKNOWN_KEY)).drop("product_key");
        written.put(LakeTables.GOLD_FACT_PRODUCT_STOCK.qualifiedName() + " (late keys)", updateByDay(
                LakeTables.GOLD_FACT_PRODUCT_STOCK,
                GoldModel.versionAt(stockWaiting, "product_id", "event_time", dimProduct, "product_id", "product_key")
                        .where(col("product_key").notEqual(GoldModel.UNKNOWN_KEY)),
                List.of("product_key")));
        resolvedAtVersions = versions;
        return written;
    }

    private long updateByDay(TableSpec spec, Dataset<Row> rows, List<String> columns) {
        Dataset<Row> resolved = rows.cache();
        try {
            List<Integer> days = resolved.agg(collect_set("date_key")).first().getList(0);
            if (days.isEmpty()) {
                return 0;
            }
            return writer.updateColumns(spec, resolved, DeltaWriter.target("date_key").isin(days.toArray()), columns);
        } finally {
            resolved.unpersist();
        }
    }

    private void outcome(String query, long batchId, Map<String, Long> written, long latencyMs) {
        String queryId = spark.sparkContext().getLocalProperty("sql.streaming.queryId");
        outcomes.put(queryId + "/" + batchId, new BatchOutcome(written, latencyMs));
    }

    /** Appends each query's new micro-batches to ops.stream_progress, at most once per batch. */
    public synchronized void recordProgress() {
        for (StreamingQuery q : queries) {
            String queryId = q.id().toString();
            long last = progressWritten.getOrDefault(queryId, -1L);
            Map<Long, StreamingQueryProgress> batches = new java.util.TreeMap<>();
            for (StreamingQueryProgress p : q.recentProgress()) {
                if (p.batchId() > last && p.durationMs().containsKey("addBatch")) {
                    batches.put(p.batchId(), p);
                }
            }
            if (batches.isEmpty()) {
                continue;
            }
            List<Row> rows = new ArrayList<>();
            for (StreamingQueryProgress p : batches.values()) {
                BatchOutcome outcome = outcomes.remove(queryId + "/" + p.batchId());
                long dropped = 0;
                for (var op : p.stateOperators()) {
                    dropped += op.numRowsDroppedByWatermark();
                }
                String watermark = p.eventTime().get("watermark");
                rows.add(RowFactory.create(q.name(), queryId, p.batchId(), Timestamp.from(Instant.parse(p.timestamp())),
                        p.numInputRows(), outcome == null ? null : outcome.rowsWritten(),
                        p.batchDuration(), finite(p.inputRowsPerSecond()), finite(p.processedRowsPerSecond()),
                        outcome == null || outcome.maxLatencyMs() < 0 ? null : outcome.maxLatencyMs(),
                        watermark == null ? null : Timestamp.from(Instant.parse(watermark)), dropped));
            }
            long newest = batches.keySet().stream().max(Long::compare).orElseThrow();
            // written in the stream's session: compacted as the stream's tables are
            writer.appendOnce(LakeTables.OPS_STREAM_PROGRESS,
                    (streams == null ? spark : streams).createDataFrame(rows, LakeTables.OPS_STREAM_PROGRESS.schema()),
                    "stream_progress:" + queryId, newest);
            progressWritten.put(queryId, newest);
        }
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
