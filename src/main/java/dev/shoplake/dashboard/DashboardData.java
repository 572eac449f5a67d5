package dev.shoplake.dashboard;

import dev.shoplake.lake.LakeSession;
import dev.shoplake.query.NamedQueries;
import dev.shoplake.query.SqlShell;
import dev.shoplake.query.StatementSplitter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The dashboard's answers: the named queries of {@link NamedQueries#dashboard()} run through
 * Spark on the gold tables, as JSON, cached so that page refreshes cost nothing. Live tiles are
 * recomputed after {@code liveTtl}, the batch tiles after {@code batchTtl}; a query that is being
 * computed is shared by every request that asks for it meanwhile. Delta reads a committed
 * snapshot, so a batch or the stream writing at the same time never blocks or tears a tile.
 */
public final class DashboardData {
    /** Tiles that follow the stream: refreshed every few seconds. */
    public static final Set<String> LIVE = Set.of("live_traffic", "stock_alerts", "freshness", "trending_products",
            "cart_conversion");

    private record Key(String query, LocalDate from, LocalDate to) {
    }

    private record Answer(String json, Instant computedAt) {
    }

    private final SparkSession spark;
    private final String lakeRoot;
    private final Map<String, NamedQueries.Query> queries = NamedQueries.dashboard();
    private final Map<String, Object> fixedParams;
    private final Duration liveTtl;
    private final Duration batchTtl;
    private final Map<Key, CompletableFuture<Answer>> cache = new ConcurrentHashMap<>();
    /** Spark runs the queries of one page side by side (the common pool would run them one by one on 2 cores). */
    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "dashboard-query");
        t.setDaemon(true);
        return t;
    });

    public DashboardData(SparkSession spark, String lakeRoot, int stockAlertBelow, Duration liveTtl,
                         Duration batchTtl) {
        this.spark = spark;
        this.lakeRoot = lakeRoot;
        this.fixedParams = Map.of("stock_alert_below", stockAlertBelow);
        this.liveTtl = liveTtl;
        this.batchTtl = batchTtl;
    }

    public List<String> names() {
        return List.copyOf(queries.keySet());
    }

    /** The query's answer for the range as JSON: {name, computed_at, columns, rows} or {name, error}. */
    public String answer(String name, LocalDate from, LocalDate to) {
        if (!queries.containsKey(name)) {
            throw new IllegalArgumentException("no dashboard query named " + name);
        }
        Key key = new Key(name, from, to);
        Duration ttl = LIVE.contains(name) ? liveTtl : batchTtl;
        if (cache.size() > 512) {
            // every range ever asked for is not worth keeping: drop the answers that are stale anyway
            cache.values().removeIf(f -> f.isDone() && !fresh(f.join(), batchTtl));
        }
        CompletableFuture<Answer> entry = cache.compute(key, (k, old) -> {
            if (old != null && (!old.isDone() || fresh(old.join(), ttl))) {
                return old;
            }
            return CompletableFuture.supplyAsync(() -> compute(k), pool);
        });
        return entry.join().json();
    }

    private static boolean fresh(Answer a, Duration ttl) {
        return a.computedAt().plus(ttl).isAfter(Instant.now());
    }

    private Answer compute(Key key) {
        NamedQueries.Query q = queries.get(key.query());
        Map<String, Object> params = new java.util.HashMap<>(fixedParams);
        params.put("date_from", key.from());
        params.put("date_to", key.to());
        spark.sparkContext().setLocalProperty("spark.scheduler.pool", "dashboard");
        spark.sparkContext().setJobGroup("dashboard", "dashboard: " + key.query(), false);
        Instant started = Instant.now();
        try {
            return new Answer(json(key.query(), run(q.sql(), params), started), Instant.now());
        } catch (Exception e) { // AnalysisException is a checked exception that Scala throws unchecked
            if (String.valueOf(e.getMessage()).contains("TABLE_OR_VIEW_NOT_FOUND")) {
                // a table the batch or the stream created after the dashboard started: name it, try again
                LakeSession.register(spark, lakeRoot);
                try {
                    return new Answer(json(key.query(), run(q.sql(), params), started), Instant.now());
                } catch (Exception again) {
                    e = again;
                }
            }
            // not cached for long: the table may appear with the next batch
            return new Answer("{\"name\":" + Json.string(key.query()) + ",\"error\":" + Json.string(dev.shoplake.ops.JobRun.errorLine(e))
                    + "}", Instant.now().minus(liveTtl.multipliedBy(2)).minus(batchTtl));
        }
    }

    private Dataset<Row> run(String sql, Map<String, Object> params) {
        return spark.sql(StatementSplitter.bind(sql, params));
    }

    /** A small result (the queries aggregate or LIMIT) as {name, computed_at, seconds, columns, rows}. */
    private static String json(String name, Dataset<Row> result, Instant started) {
        List<String> rows = result.toJSON().collectAsList();
        StringBuilder out = new StringBuilder("{\"name\":").append(Json.string(name))
                .append(",\"computed_at\":").append(Json.string(Instant.now().toString()))
                .append(",\"seconds\":").append(Duration.between(started, Instant.now()).toMillis() / 1000.0)
                .append(",\"columns\":[");
        String[] columns = result.columns();
        for (int i = 0; i < columns.length; i++) {
            out.append(i == 0 ? "" : ",").append(Json.string(columns[i]));
        }
        out.append("],\"rows\":[").append(String.join(",", rows)).append("]}");
        return out.toString();
    }
}
