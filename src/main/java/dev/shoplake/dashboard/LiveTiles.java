package dev.shoplake.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.streaming.LiveListener;
import dev.shoplake.streaming.LiveTraffic;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;

/**
 * The live tiles of a dashboard in the stream's own JVM, kept in memory: read from the tables once
 * (the last hours of gold.live_traffic_increments at one version, gold.stock_current), then moved by
 * each micro-batch the stream hands over ({@link LiveListener}), so a live tile costs no Spark job
 * and changes as soon as the stream commits. The answers have the same columns as the named
 * queries {@code live_traffic} and {@code stock_alerts}, and the stream's fields of
 * {@code freshness}.
 */
final class LiveTiles implements LiveListener {
    private static final ObjectMapper JSON = dev.shoplake.config.Json.MAPPER;
    private static final long HOUR_MS = 3_600_000L;
    private static final List<String> TRAFFIC_COLUMNS = List.of("minute", "sessions", "page_views", "store_actions",
            "carts_created", "add_to_carts", "checkouts", "orders_paid", "payments_failed", "revenue");

    private record Stock(int level, Instant at, long position) {
    }

    private final DeltaWriter lake;
    private final int alertBelow;
    /** minute -> the counts of {@link LiveTraffic#COUNTS}; longs, and revenue as a BigDecimal. */
    private final TreeMap<Instant, Object[]> minutes = new TreeMap<>();
    private final Map<Integer, Stock> stock = new HashMap<>();
    private Map<Integer, String> names = Map.of();
    private long trafficVersion = -1;
    private Instant lastBatchAt;
    private Long latencyMs;

    LiveTiles(DeltaWriter lake, int alertBelow) {
        this.lake = lake;
        this.alertBelow = alertBelow;
    }

    /** Reads what the tables hold now; batches the stream hands over meanwhile are added on top of it. */
    synchronized void seed() {
        // the increments, not the minutes: the stream appends them as it commits (the minutes follow a
        // few seconds later), and each micro-batch it hands over says which increments version holds it
        long version = lake.version(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS);
        if (version >= 0) {
            List<Row> held = lake.readAt(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS, version)
                    .where("minute > (SELECT max(minute) - INTERVAL 2 HOURS FROM delta.`"
                            + lake.path(LakeTables.GOLD_LIVE_TRAFFIC_INCREMENTS) + "` VERSION AS OF " + version + ")")
                    .collectAsList();
            minutes.clear();
            held.forEach(this::addMinute);
            trafficVersion = version;
        }
        if (lake.exists(LakeTables.GOLD_STOCK_CURRENT)) {
            lake.read(LakeTables.GOLD_STOCK_CURRENT).collectAsList().forEach(this::moveStock);
        }
        refreshNames();
    }

    /** Product names, current version: read again when gold.dim_product moves (a batch ran). */
    void refreshNames() {
        if (!lake.exists(LakeTables.GOLD_DIM_PRODUCT)) {
            return;
        }
        Map<Integer, String> read = new HashMap<>();
        lake.read(LakeTables.GOLD_DIM_PRODUCT).where("is_current").select("product_id", "name").collectAsList()
                .forEach(r -> read.put(r.getInt(0), r.getString(1)));
        synchronized (this) {
            names = read;
        }
    }

    @Override
    public synchronized void onBatch(Batch batch) {
        if (batch.trafficVersion() > trafficVersion) {
            batch.minutes().forEach(this::addMinute);
            trafficVersion = batch.trafficVersion();
        }
        batch.stock().forEach(this::moveStock);
        lastBatchAt = batch.committedAt();
        if (batch.latencyMs() != null && batch.inputRows() > 0) {
            latencyMs = batch.latencyMs();
        }
    }

    private void addMinute(Row r) {
        Instant minute = r.<Timestamp>getAs("minute").toInstant();
        Object[] counts = minutes.computeIfAbsent(minute, m -> {
            Object[] zero = new Object[LiveTraffic.COUNTS.size()];
            for (int i = 0; i < zero.length; i++) {
                zero[i] = LiveTraffic.COUNTS.get(i).equals("revenue") ? BigDecimal.ZERO : (Object) 0L;
            }
            return zero;
        });
        for (int i = 0; i < counts.length; i++) {
            String c = LiveTraffic.COUNTS.get(i);
            counts[i] = c.equals("revenue") ? ((BigDecimal) counts[i]).add(r.<BigDecimal>getAs(c))
                    : (Long) counts[i] + r.<Long>getAs(c);
        }
        // an hour is shown; two are kept, for late events of the hour before
        while (!minutes.isEmpty() && minutes.firstKey().isBefore(minutes.lastKey().minus(2, ChronoUnit.HOURS))) {
            minutes.pollFirstEntry();
        }
    }

    private void moveStock(Row r) {
        int product = r.<Integer>getAs("product_id");
        Stock now = new Stock(r.<Integer>getAs("stock_level"), r.<Timestamp>getAs("event_time").toInstant(),
                r.<Long>getAs("stream_position"));
        Stock held = stock.get(product);
        // as gold.stock_current moves: a newer change wins, by event time, then position in its partition
        if (held == null || now.at().isAfter(held.at()) || (now.at().equals(held.at()) && now.position() > held.position())) {
            stock.put(product, now);
        }
    }

    /** As the named query live_traffic: the minutes of the hour before the newest one. */
    synchronized String liveTraffic() {
        ArrayNode rows = JSON.createArrayNode();
        if (!minutes.isEmpty()) {
            Instant from = minutes.lastKey().minusMillis(HOUR_MS);
            minutes.tailMap(from, false).forEach((minute, counts) -> {
                ObjectNode row = rows.addObject();
                row.put("minute", minute.toString());
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] instanceof BigDecimal d) {
                        row.put(LiveTraffic.COUNTS.get(i), d);
                    } else {
                        row.put(LiveTraffic.COUNTS.get(i), (Long) counts[i]);
                    }
                }
            });
        }
        return answer("live_traffic", TRAFFIC_COLUMNS, rows);
    }

    /** As the named query stock_alerts: products under the alert level, lowest first. */
    synchronized String stockAlerts() {
        List<Map.Entry<Integer, Stock>> low = new ArrayList<>(stock.entrySet().stream()
                .filter(e -> e.getValue().level() < alertBelow).toList());
        low.sort(Map.Entry.<Integer, Stock>comparingByValue(java.util.Comparator.comparingInt(Stock::level))
                .thenComparing(Map.Entry.comparingByKey()));
        ArrayNode rows = JSON.createArrayNode();
        for (Map.Entry<Integer, Stock> e : low) {
            rows.addObject().put("product_id", e.getKey()).put("name", names.get(e.getKey()))
                    .put("stock_level", e.getValue().level()).put("as_of", e.getValue().at().toString());
        }
        return answer("stock_alerts", List.of("product_id", "name", "stock_level", "as_of"), rows);
    }

    /** The freshness answer computed from the tables, with the stream's fields as the stream last said them. */
    synchronized String freshness(String fromTables) {
        try {
            ObjectNode answer = (ObjectNode) JSON.readTree(fromTables);
            if (answer.has("rows") && answer.get("rows").size() == 1) {
                ObjectNode row = (ObjectNode) answer.get("rows").get(0);
                if (lastBatchAt != null) {
                    row.put("last_stream_batch_at", lastBatchAt.toString());
                }
                if (latencyMs != null) {
                    row.put("stream_latency_ms", latencyMs);
                }
                stock.values().stream().map(Stock::at).max(Instant::compareTo)
                        .ifPresent(t -> row.put("newest_event_at", t.toString()));
            }
            return JSON.writeValueAsString(answer);
        } catch (java.io.IOException e) {
            return fromTables;
        }
    }

    private static String answer(String name, List<String> columns, ArrayNode rows) {
        ObjectNode out = JSON.createObjectNode().put("name", name).put("computed_at", Instant.now().toString())
                .put("seconds", 0.0);
        out.putObject("versions");
        columns.forEach(out.putArray("columns")::add);
        out.set("rows", rows);
        return out.toString();
    }
}
