package dev.shoplake.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.min;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.gold.GoldModel;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.TableTasks;
import dev.shoplake.source.events.EventTopic;
import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
 * The streaming job: two Structured Streaming queries over the simulator's Kafka topics, each with
 * its checkpoint under the lake.
 *
 * <ul>
 *   <li>{@value #FACTS} reads every topic, quarantines what cannot be used, and inserts cart
 *   actions and stock changes into gold by event id (insert-only MERGE: a replayed micro-batch
 *   or a message sent twice adds nothing), then moves {@code gold.stock_current} forward.</li>
 *   <li>{@value #TRAFFIC} counts website, store and checkout events per minute of event time with a
 *   watermark ({@code late-after}); the counts are state in the checkpoint, and each micro-batch
 *   overwrites the minutes it changed, so a replay writes the same values again.</li>
 * </ul>
 * Exactly once therefore holds across restarts and kill -9: Kafka offsets and state come back
 * from the checkpoint, and every write is idempotent for a replayed batch.
 */
public final class EventStream {
    public static final String FACTS = "gold_facts";
    public static final String TRAFFIC = "live_traffic";
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
    private final List<StreamingQuery> queries = new ArrayList<>();
    private String dimensionVersions = "";
    private long dimensionsCheckedAt;

    record BatchOutcome(Map<String, Long> rowsWritten, long maxLatencyMs) {
    }

    public EventStream(SparkSession spark, LakehouseConfig config) {
        this.spark = spark;
        this.writer = new DeltaWriter(spark, config.lakeRoot());
        this.config = config;
        for (EventTopic t : EventTopic.values()) {
            topics.put(t.topicName(config.kafka()), t);
        }
    }

    /** Starts both queries; {@code availableNow} reads what Kafka holds now, then stops. */
    public List<StreamingQuery> start(boolean availableNow) {
        for (TableSpec spec : List.of(LakeTables.GOLD_FACT_CART_ACTIVITY, LakeTables.GOLD_FACT_PRODUCT_STOCK,
                LakeTables.GOLD_STOCK_CURRENT, LakeTables.GOLD_LIVE_TRAFFIC, LakeTables.BRONZE_EVENTS_QUARANTINE,
                LakeTables.OPS_STREAM_PROGRESS)) {
            writer.ensure(spec);
        }
        try {
            Dataset<Row> all = kafka(topics.keySet());
            queries.add(trigger(all.writeStream().queryName(FACTS)
                    .option("checkpointLocation", config.streaming().checkpoint(config.lakeRoot(), FACTS))
                    .foreachBatch((VoidFunction2<Dataset<Row>, Long>) this::factsBatch), availableNow).start());

            List<String> trafficTopics = List.of(EventTopic.STORE.topicName(config.kafka()),
                    EventTopic.CHECKOUT.topicName(config.kafka()), EventTopic.WEBSITE.topicName(config.kafka()));
            Dataset<Row> events = EventParser.parse(kafka(trafficTopics), topics, bounds())
                    .where(col("error").isNull())
                    .withWatermark("event_time", config.streaming().lateAfter())
                    .dropDuplicatesWithinWatermark("event_id");
            queries.add(trigger(LiveTraffic.perMinute(events).writeStream().queryName(TRAFFIC).outputMode("update")
                    .option("checkpointLocation", config.streaming().checkpoint(config.lakeRoot(), TRAFFIC))
                    .foreachBatch((VoidFunction2<Dataset<Row>, Long>) this::trafficBatch), availableNow).start());
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

    /** Stops the queries (after their current micro-batch) and records the last progress. */
    public void stop() {
        for (StreamingQuery q : queries) {
            try {
                q.stop();
            } catch (TimeoutException e) {
                LOG.warn("query {} did not stop in time", q.name());
            }
        }
        recordProgress();
    }

    private DataStreamWriter<Row> trigger(DataStreamWriter<Row> w, boolean availableNow) {
        return availableNow ? w.trigger(Trigger.AvailableNow())
                : w.trigger(Trigger.ProcessingTime(config.streaming().triggerInterval()));
    }

    private Dataset<Row> kafka(java.util.Collection<String> topicNames) {
        return spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", config.kafka().bootstrapServers())
                .option("subscribe", String.join(",", topicNames))
                .option("startingOffsets", config.streaming().startingOffsets())
                .option("maxOffsetsPerTrigger", config.streaming().maxOffsetsPerTrigger())
                // the simulator writes in Kafka transactions: never read an aborted one
                .option("kafka.isolation.level", "read_committed")
                .load()
                // in a stream, current_timestamp() is the micro-batch's own time, kept in the offset log
                .withColumn("batch_time", current_timestamp());
    }

    private EventParser.Bounds bounds() {
        return new EventParser.Bounds(col("batch_time"), config.streaming().futureTolerance(),
                java.sql.Timestamp.from(config.streaming().earliestEventTime()));
    }

    /** One micro-batch of the facts query. Every write is keyed, so running it twice equals once. */
    private void factsBatch(Dataset<Row> kafkaBatch, long batchId) {
        long started = System.currentTimeMillis();
        SparkSession session = kafkaBatch.sparkSession();
        Dataset<Row> events = EventParser.parse(kafkaBatch, topics, bounds()).cache();
        try {
            Map<String, Long> written = new ConcurrentHashMap<>();
            Row shape = events.agg(org.apache.spark.sql.functions.count("*"),
                    org.apache.spark.sql.functions.count_if(col("error").isNotNull()),
                    min("kafka_timestamp")).first();
            long input = shape.getLong(0);
            Dataset<Row> dimCustomer = dimension(session, LakeTables.GOLD_DIM_CUSTOMER, DIM_CUSTOMER);
            Dataset<Row> dimProduct = dimension(session, LakeTables.GOLD_DIM_PRODUCT, DIM_PRODUCT);
            Dataset<Row> stock = StreamFacts.productStock(events, dimProduct).cache();
            // each table is its own commit: write them side by side (a MERGE is mostly driver-side latency)
            List<Runnable> writes = new ArrayList<>(List.of(
                    () -> written.put(LakeTables.GOLD_FACT_CART_ACTIVITY.qualifiedName(), insertByDay(
                            LakeTables.GOLD_FACT_CART_ACTIVITY, StreamFacts.cartActivity(events, dimCustomer, dimProduct))),
                    () -> written.put(LakeTables.GOLD_FACT_PRODUCT_STOCK.qualifiedName(),
                            insertByDay(LakeTables.GOLD_FACT_PRODUCT_STOCK, stock)),
                    () -> written.put(LakeTables.GOLD_STOCK_CURRENT.qualifiedName(), moveStockForward(stock))));
            if (shape.getLong(1) > 0) {
                writes.add(() -> written.put(LakeTables.BRONZE_EVENTS_QUARANTINE.qualifiedName(), writer.insertNew(
                        LakeTables.BRONZE_EVENTS_QUARANTINE,
                        events.where(col("error").isNotNull()).select(col("topic"), col("partition"), col("offset"),
                                col("kafka_timestamp"), col("raw_value"), col("error").as("reason"),
                                current_timestamp().as(LakeTables.INGESTED_AT)),
                        "true")));
            }
            try {
                TableTasks.run(writes.size(), writes);
            } finally {
                stock.unpersist();
            }
            written.putAll(resolveLateKeys(dimCustomer, dimProduct));
            long latency = shape.isNullAt(2) ? 0 : System.currentTimeMillis() - shape.getTimestamp(2).getTime();
            Map<String, Long> byTable = new java.util.TreeMap<>(written);
            outcome(FACTS, batchId, byTable, latency);
            LOG.info("{} batch {}: {} records in, written {}, {} ms, event-to-gold latency {} ms", FACTS, batchId, input,
                    byTable, System.currentTimeMillis() - started, latency);
        } finally {
            events.unpersist();
        }
    }

    /** One micro-batch of the traffic query: the minutes whose counts changed, overwritten by minute. */
    private void trafficBatch(Dataset<Row> minutes, long batchId) {
        long started = System.currentTimeMillis();
        Dataset<Row> changed = minutes.cache();
        try {
            long rows = changed.count();
            if (rows > 0) {
                // only the partitions of the minutes that changed: the table keeps every minute ever
                String inDays = changed.select("date_key").distinct().collectAsList().stream()
                        .map(r -> String.valueOf(r.getInt(0))).collect(Collectors.joining(", "));
                DeltaTable.forPath(changed.sparkSession(), writer.path(LakeTables.GOLD_LIVE_TRAFFIC)).as("t")
                        .merge(changed.as("s"), "t.date_key IN (" + inDays + ") AND t.minute = s.minute")
                        .whenMatched().updateAll()
                        .whenNotMatched().insertAll()
                        .execute();
            }
            outcome(TRAFFIC, batchId, Map.of(LakeTables.GOLD_LIVE_TRAFFIC.qualifiedName(), rows), -1);
            LOG.info("{} batch {}: {} minutes updated, {} ms", TRAFFIC, batchId, rows, System.currentTimeMillis() - started);
        } finally {
            changed.unpersist();
        }
    }

    /** Inserts facts by event id, reading only the target partitions of the batch's days. */
    private long insertByDay(TableSpec spec, Dataset<Row> facts) {
        Dataset<Row> batch = facts.cache(); // computed once for the days and once for the MERGE, not twice
        try {
            List<Row> days = batch.select("date_key").distinct().collectAsList();
            if (days.isEmpty()) {
                return 0;
            }
            String inDays = days.stream().map(r -> String.valueOf(r.getInt(0))).collect(Collectors.joining(", "));
            return writer.insertNew(spec, batch, "{t}.date_key IN (" + inDays + ")");
        } finally {
            batch.unpersist();
        }
    }

    /** gold.stock_current takes a product's newest change only if it is newer than what it holds. */
    private long moveStockForward(Dataset<Row> stock) {
        Row result = DeltaTable.forPath(stock.sparkSession(), writer.path(LakeTables.GOLD_STOCK_CURRENT)).as("t")
                .merge(StreamFacts.latestStock(stock).as("s"), "t.product_id = s.product_id")
                .whenMatched("s.event_time > t.event_time OR (s.event_time = t.event_time "
                        + "AND s.stream_position > t.stream_position)").updateAll()
                .whenNotMatched().insertAll()
                .execute().first();
        return result.<Long>getAs("num_inserted_rows") + result.<Long>getAs("num_updated_rows");
    }

    /**
     * Facts that arrived before their dimension version reached gold carry key -1. When gold's
     * dimensions change (the batch ran), those facts get their keys: the late-arriving dimension
     * is resolved in the stream's own thread, so it never races the stream's inserts.
     */
    private Map<String, Long> resolveLateKeys(Dataset<Row> dimCustomer, Dataset<Row> dimProduct) {
        // the batch job changes dimensions a few times a day: look at most every 30 s
        if (!dimensionVersions.isEmpty() && System.currentTimeMillis() - dimensionsCheckedAt < 30_000) {
            return Map.of();
        }
        dimensionsCheckedAt = System.currentTimeMillis();
        String versions = version(LakeTables.GOLD_DIM_CUSTOMER) + "/" + version(LakeTables.GOLD_DIM_PRODUCT);
        if (versions.equals(dimensionVersions)) {
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
        dimensionVersions = versions;
        return written;
    }

    private long updateByDay(TableSpec spec, Dataset<Row> rows, List<String> columns) {
        Dataset<Row> resolved = rows.cache();
        try {
            List<Row> days = resolved.select("date_key").distinct().collectAsList();
            if (days.isEmpty()) {
                return 0;
            }
            String inDays = days.stream().map(r -> String.valueOf(r.getInt(0))).collect(Collectors.joining(", "));
            Map<String, String> set = new LinkedHashMap<>();
            columns.forEach(c -> set.put(c, "s." + c));
            Row result = DeltaTable.forPath(resolved.sparkSession(), writer.path(spec)).as("t")
                    .merge(resolved.as("s"), "t.date_key IN (" + inDays + ") AND t.event_id = s.event_id")
                    .whenMatched().updateExpr(set)
                    .execute().first();
            return result.<Long>getAs("num_updated_rows");
        } finally {
            resolved.unpersist();
        }
    }

    private String version(TableSpec spec) {
        if (!writer.exists(spec)) {
            return "none";
        }
        return String.valueOf(DeltaTable.forPath(spark, writer.path(spec)).history(1).select("version").first().getLong(0));
    }

    private Dataset<Row> dimension(SparkSession session, TableSpec spec, StructType keys) {
        if (!writer.exists(spec)) {
            return session.createDataFrame(List.of(), keys);
        }
        return writer.read(spec).select(keys.fieldNames()[0], "valid_from", "valid_to", keys.fieldNames()[3]);
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
            writer.appendOnce(LakeTables.OPS_STREAM_PROGRESS,
                    spark.createDataFrame(rows, LakeTables.OPS_STREAM_PROGRESS.schema()), "stream_progress:" + queryId,
                    newest);
            progressWritten.put(queryId, newest);
        }
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
