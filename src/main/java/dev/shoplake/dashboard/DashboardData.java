package dev.shoplake.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.shoplake.config.Json;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeSession;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.query.AsOfReader;
import dev.shoplake.query.NamedQueries;
import dev.shoplake.query.StatementSplitter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's answers: the named queries of {@link NamedQueries#dashboard()} run through Spark
 * on the gold tables, as JSON, held in memory per (query, range) with the Delta versions of the
 * tables the query reads. A look costs no Spark job: it gets the answer held. A watcher reads the
 * tables' versions from their logs ({@code watch-every}, no Spark job either) and, when a table
 * moved (a batch or a micro-batch committed), recomputes the answers that read it, in the
 * background, and pushes each new answer to the pages that follow its range ({@link #follow}).
 * So the cost follows the commits, not the looks, and a tile keeps its last value while it is
 * recomputed. Delta reads a committed snapshot: a writer never blocks or tears a tile.
 */
public final class DashboardData implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardData.class);
    private static final Pattern TABLE = Pattern.compile("\\b(bronze|silver|gold|ops)\\.([a-z_]+)\\b");
    /** An answer nobody asked for or follows in this long is no longer recomputed (and is dropped). */
    private static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    /**
     * An answer is recomputed at most this often: the stream commits every second or two, and a
     * tile over its facts need not be redone for each commit on a small machine.
     */
    private static final Duration MIN_REFRESH = Duration.ofSeconds(3);
    /** Tiles over the stream's facts (trending products, cart conversion) are redone at most this often. */
    private static final Duration MIN_REFRESH_STREAM_FACTS = Duration.ofSeconds(10);
    /** A failed answer (a table not there yet) is tried again after this long even if nothing moved. */
    private static final Duration RETRY_FAILED = Duration.ofSeconds(5);

    /** A tile's range; queries that do not depend on the range share the one with no dates. */
    public record Range(LocalDate from, LocalDate to) {
        static final Range NONE = new Range(null, null);
    }

    private record Key(String query, Range range) {
    }

    /** One answer as held: its JSON, the table versions it was computed at, and who follows it. */
    private final class Entry {
        final Key key;
        volatile String json;
        volatile Map<String, Long> versions = Map.of();
        volatile boolean failed;
        volatile Instant computedAt = Instant.EPOCH;
        volatile Instant askedAt = Instant.now();
        CompletableFuture<String> running;

        Entry(Key key) {
            this.key = key;
        }
    }

    private final SparkSession spark;
    private final String lakeRoot;
    private final DeltaWriter lake;
    private final Map<String, NamedQueries.Query> queries = NamedQueries.dashboard();
    private final Map<String, List<TableSpec>> inputs = new ConcurrentHashMap<>();
    private final Map<String, Object> fixedParams;
    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    /** The moments looked at lately, each with its tables' clauses (a page asks 13 tiles of one moment). */
    private final Map<String, AsOfReader> pasts = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16,
            0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AsOfReader> eldest) {
            return size() > 16;
        }
    });
    private final Map<String, TableSpec> watched = new LinkedHashMap<>();
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    private final List<Follower> followers = new CopyOnWriteArrayList<>();
    /** Spark runs the queries side by side (the common pool would run them one by one on 2 cores). */
    private final ExecutorService pool = Executors.newFixedThreadPool(4, daemon("dashboard-query"));
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(daemon("dashboard-watch"));

    private record Follower(Range range, Consumer<String> push) {
    }

    /** The tiles the stream moves, when it runs in this JVM ({@link #live}); null otherwise. */
    private volatile LiveTiles live;
    /** The queries {@link #live} answers from memory, without Spark. */
    private static final Set<String> FROM_THE_STREAM = Set.of("live_traffic", "stock_alerts");

    public DashboardData(SparkSession spark, String lakeRoot, int stockAlertBelow, Duration watchEvery) {
        this.spark = spark;
        this.lakeRoot = lakeRoot;
        this.lake = new DeltaWriter(spark, lakeRoot);
        this.fixedParams = Map.of("stock_alert_below", stockAlertBelow);
        Map<String, TableSpec> byName = new HashMap<>();
        LakeTables.all().forEach(t -> byName.put(t.qualifiedName(), t));
        for (NamedQueries.Query q : queries.values()) {
            Set<TableSpec> read = new LinkedHashSet<>();
            Matcher m = TABLE.matcher(q.sql());
            while (m.find()) {
                TableSpec spec = byName.get(m.group(1) + "." + m.group(2));
                if (spec == null) {
                    throw new IllegalStateException("dashboard query " + q.name() + " reads " + m.group()
                            + ", which is not a lake table");
                }
                read.add(spec);
            }
            inputs.put(q.name(), List.copyOf(read));
        }
        inputs.values().stream().flatMap(List::stream).forEach(t -> watched.put(t.qualifiedName(), t));
        watched.forEach((name, t) -> versions.put(name, version(t)));
        long every = Math.max(50, watchEvery.toMillis());
        watcher.scheduleWithFixedDelay(this::watch, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Follows a stream in this JVM: its live tiles (traffic per minute, stock alerts, the header's
     * stream fields) are read from the tables once, then moved by each micro-batch it hands over,
     * with no Spark job; pages get them pushed. Register the result with the stream.
     */
    public synchronized dev.shoplake.streaming.LiveListener live() {
        if (live == null) {
            LiveTiles tiles = new LiveTiles(lake, (Integer) fixedParams.get("stock_alert_below"));
            tiles.seed();
            // the header's table part moves with the batch only; its stream part comes from the stream
            inputs.put("freshness", List.of(LakeTables.OPS_JOB_RUNS));
            live = tiles;
        }
        LiveTiles tiles = live;
        return batch -> {
            tiles.onBatch(batch);
            pushLive(tiles);
        };
    }

    private void pushLive(LiveTiles tiles) {
        pushAll(tiles.liveTraffic());
        pushAll(tiles.stockAlerts());
        Entry freshness = entries.get(new Key("freshness", Range.NONE));
        if (freshness != null && freshness.json != null && !freshness.failed) {
            pushAll(tiles.freshness(freshness.json));
        }
    }

    /** An answer that belongs to no range: every page gets it. */
    private void pushAll(String json) {
        followers.forEach(f -> f.push().accept(json));
    }

    public List<String> names() {
        return List.copyOf(queries.keySet());
    }

    /**
     * The query's answer for the range as JSON: {name, computed_at, seconds, versions, columns, rows}
     * or {name, error}. The answer held is returned at once, even while a newer one is computed; only
     * the first look at a (query, range) waits for Spark.
     */
    public String answer(String name, LocalDate from, LocalDate to) {
        LiveTiles tiles = live;
        if (tiles != null && FROM_THE_STREAM.contains(name)) {
            return name.equals("live_traffic") ? tiles.liveTraffic() : tiles.stockAlerts();
        }
        Entry entry = entry(name, new Range(from, to));
        entry.askedAt = Instant.now();
        String held = entry.json;
        if (held != null) {
            if (stale(entry)) {
                refresh(entry);
            }
            return held;
        }
        return refresh(entry).join();
    }

    /**
     * The query's answer as the warehouse was at {@code moment} (from {@link dev.shoplake.query.AsOf#moment}): each table
     * it reads, TIMESTAMP AS OF that moment, so every tile of a look is of the same moment. The
     * past does not move: computed on asking, never followed; the answer carries {@code as_of}.
     */
    public String answerAsOf(String name, LocalDate from, LocalDate to, String moment) {
        if (!queries.containsKey(name)) {
            throw new IllegalArgumentException("no dashboard query named " + name);
        }
        Map<String, Long> none = Map.of();
        Instant started = Instant.now();
        ObjectNode answer;
        try {
            spark.sparkContext().setLocalProperty("spark.scheduler.pool", "dashboard");
            AsOfReader past = pasts.computeIfAbsent(moment, m -> new AsOfReader(spark, watched.keySet(), m));
            answer = answer(name, spark.sql(past.rewrite(bound(name, new Range(from, to)))), started, none);
        } catch (Exception e) { // AnalysisException is a checked exception that Scala throws unchecked
            answer = failed(name, e);
        }
        return Json.write(answer.put("as_of", moment));
    }

    /**
     * The moment just before a batch run started (its start in ops.job_runs, taken before it wrote
     * anything): the warehouse as that run found it. Empty when no run has that id.
     */
    public java.util.Optional<String> momentOfRun(String runId) {
        Row start = spark.sql(StatementSplitter.bind("SELECT date_format(min(started_at) - INTERVAL 1 MILLISECOND, "
                + "'yyyy-MM-dd HH:mm:ss.SSS') FROM ops.job_runs WHERE run_id = :run", Map.of("run", runId))).first();
        return start.isNullAt(0) ? java.util.Optional.empty() : java.util.Optional.of(start.getString(0));
    }

    /**
     * Follows every tile of a range: {@code push} gets each answer held now, then each new one as
     * the tables move, until the returned handle is closed. Nothing is computed per follower.
     */
    public AutoCloseable follow(LocalDate from, LocalDate to, Consumer<String> push) {
        Range range = new Range(from, to);
        Follower follower = new Follower(range, push);
        followers.add(follower);
        LiveTiles tiles = live;
        if (tiles != null) {
            push.accept(tiles.liveTraffic());
            push.accept(tiles.stockAlerts());
        }
        for (String name : queries.keySet()) {
            if (tiles != null && FROM_THE_STREAM.contains(name)) {
                continue;
            }
            Entry entry = entry(name, range);
            entry.askedAt = Instant.now();
            if (entry.json != null) {
                push.accept(entry.json);
            }
            if (entry.json == null || stale(entry)) {
                refresh(entry);
            }
        }
        return () -> followers.remove(follower);
    }

    /** Computes the tiles of a range in the background: a page opened later finds them held. */
    public void warm(LocalDate from, LocalDate to) {
        for (String name : queries.keySet()) {
            if (live != null && FROM_THE_STREAM.contains(name)) {
                continue;
            }
            refresh(entry(name, new Range(from, to)));
        }
    }

    private Entry entry(String name, Range range) {
        if (!queries.containsKey(name)) {
            throw new IllegalArgumentException("no dashboard query named " + name);
        }
        Range own = queries.get(name).sql().contains(":date_") ? range : Range.NONE;
        return entries.computeIfAbsent(new Key(name, own), Entry::new);
    }

    private boolean stale(Entry e) {
        if (e.failed && e.computedAt.plus(RETRY_FAILED).isBefore(Instant.now())) {
            return true;
        }
        for (TableSpec t : inputs.get(e.key.query())) {
            if (!versions.getOrDefault(t.qualifiedName(), -1L).equals(e.versions.getOrDefault(t.qualifiedName(), -1L))) {
                return true;
            }
        }
        return false;
    }

    /** Starts computing the entry unless it is being computed; returns the computation. */
    private synchronized CompletableFuture<String> refresh(Entry e) {
        if (e.running != null && !e.running.isDone()) {
            return e.running;
        }
        e.running = CompletableFuture.supplyAsync(() -> compute(e), pool);
        return e.running;
    }

    private String compute(Entry e) {
        // the versions before the query: a commit during it leaves the answer stale, so it is done again
        Map<String, Long> at = new LinkedHashMap<>();
        inputs.get(e.key.query()).forEach(t -> at.put(t.qualifiedName(), versions.getOrDefault(t.qualifiedName(), -1L)));
        spark.sparkContext().setLocalProperty("spark.scheduler.pool", "dashboard");
        spark.sparkContext().setJobGroup("dashboard", "dashboard: " + e.key.query(), false);
        Instant started = Instant.now();
        String json;
        boolean failed = false;
        String sql = bound(e.key.query(), e.key.range());
        try {
            json = json(e.key.query(), spark.sql(sql), started, at);
        } catch (Exception first) { // AnalysisException is a checked exception that Scala throws unchecked
            Exception error = first;
            json = null;
            if (String.valueOf(first.getMessage()).contains("TABLE_OR_VIEW_NOT_FOUND")) {
                // a table the batch or the stream created after the dashboard started: name it, try again
                LakeSession.register(spark, lakeRoot);
                try {
                    json = json(e.key.query(), spark.sql(sql), started, at);
                } catch (Exception again) {
                    error = again;
                }
            }
            if (json == null) {
                failed = true;
                json = error(e.key.query(), error);
            }
        } finally {
            spark.sparkContext().clearJobGroup();
        }
        LiveTiles tiles = live;
        if (tiles != null && !failed && e.key.query().equals("freshness")) {
            json = tiles.freshness(json);
        }
        boolean changed = !json.equals(e.json);
        e.json = json;
        e.versions = at;
        e.failed = failed;
        e.computedAt = Instant.now();
        if (changed) {
            for (Follower f : followers) {
                if (e.key.range() == Range.NONE || f.range().equals(e.key.range())) {
                    f.push().accept(json);
                }
            }
        }
        return json;
    }

    /** The query's SQL with the range's dates and the fixed parameters bound. */
    private String bound(String name, Range range) {
        Map<String, Object> params = new HashMap<>(fixedParams);
        params.put("date_from", range.from() == null ? LocalDate.EPOCH : range.from());
        params.put("date_to", range.to() == null ? LocalDate.EPOCH : range.to());
        return StatementSplitter.bind(queries.get(name).sql(), params);
    }

    private static String error(String name, Exception e) {
        return Json.write(failed(name, e));
    }

    private static ObjectNode failed(String name, Exception e) {
        return Json.object().put("name", name).put("error", dev.shoplake.ops.JobRun.errorLine(e));
    }

    /** One round of the watcher: read each table's version from its log, recompute what moved. */
    private void watch() {
        try {
            long products = versions.getOrDefault(LakeTables.GOLD_DIM_PRODUCT.qualifiedName(), -1L);
            watched.forEach((name, t) -> versions.put(name, version(t)));
            LiveTiles tiles = live;
            if (tiles != null && products != versions.getOrDefault(LakeTables.GOLD_DIM_PRODUCT.qualifiedName(), -1L)) {
                pool.execute(() -> {
                    tiles.refreshNames(); // a batch renamed or added products: the stock alerts name them
                    pushAll(tiles.stockAlerts());
                });
            }
            Instant forget = Instant.now().minus(FORGET_AFTER);
            List<Entry> due = new ArrayList<>();
            for (Entry e : entries.values()) {
                boolean followed = followers.stream().anyMatch(f -> e.key.range() == Range.NONE
                        || f.range().equals(e.key.range()));
                if (!followed && e.askedAt.isBefore(forget)) {
                    entries.remove(e.key); // every range ever asked for is not worth keeping
                } else if (e.json != null && stale(e) && e.computedAt.plus(inputs.get(e.key.query())
                        .contains(LakeTables.GOLD_FACT_CART_ACTIVITY) ? MIN_REFRESH_STREAM_FACTS : MIN_REFRESH)
                        .isBefore(Instant.now())) {
                    due.add(e);
                }
            }
            due.forEach(this::refresh);
        } catch (RuntimeException ex) {
            LOG.warn("dashboard: reading table versions failed: {}", ex.toString());
        }
    }

    private long version(TableSpec t) {
        try {
            return lake.version(t);
        } catch (RuntimeException e) {
            return -1; // a table being created or removed right now: the next round sees it
        }
    }

    /** A small result (the queries aggregate or LIMIT) as {name, computed_at, seconds, versions, columns, rows}. */
    private static String json(String name, Dataset<Row> result, Instant started, Map<String, Long> versions) {
        return Json.write(answer(name, result, started, versions));
    }

    private static ObjectNode answer(String name, Dataset<Row> result, Instant started, Map<String, Long> versions) {
        List<String> rows = result.toJSON().collectAsList();
        ObjectNode out = Json.object().put("name", name).put("computed_at", Instant.now().toString())
                .put("seconds", Duration.between(started, Instant.now()).toMillis() / 1000.0);
        ObjectNode read = out.putObject("versions");
        versions.forEach(read::put);
        ArrayNode columns = out.putArray("columns");
        for (String c : result.columns()) {
            columns.add(c);
        }
        // the rows as Spark wrote them (Spark's JSON of its own types), not parsed again
        out.putRawValue("rows", new RawValue("[" + String.join(",", rows) + "]"));
        return out;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        pool.shutdownNow();
    }
}
