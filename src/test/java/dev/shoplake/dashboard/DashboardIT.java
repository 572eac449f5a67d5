package dev.shoplake.dashboard;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.source.sim.ShopSimulator;
import dev.shoplake.streaming.EventStream;
import dev.shoplake.bench.Chromium;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.testing.SmallLake;
import dev.shoplake.testing.TestSpark;
import dev.shoplake.testing.TestStack;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: the numbers the page shows are those Spark SQL gives on the same
 * gold tables; then, while the shop runs live, the stream follows it and a batch runs beside them
 * (the demo's load), the page keeps every tile drawn, never blanks one it has drawn, shows the
 * stream's last micro-batch in its header, and a live tile changes by itself (pushed, not polled).
 */
@Tag("integration")
@Order(6)
@ResourceLock(TestSpark.SESSION) // the JVM's one session and catalog, pointed at one lake at a time
class DashboardIT {
    @Test
    void thePageShowsWhatSparkSqlSaysAndItsLiveTilesMoveWithTheStream() throws Exception {
        // a copy of the small lake's shop: the live phase moves it on, the shared one stays as built
        Settings settings = SmallLake.get().copy();
        LakehouseConfig config = TestStack.get().config(settings);
        SparkSession spark = TestSpark.forLake(settings, config);
        LocalDate from = SmallLake.FIRST_DAY.plusDays(2);
        LocalDate to = SmallLake.lastDay();
        DashboardData data = new DashboardData(spark, config.lakeRoot(), 20, Duration.ofMillis(250));
        try (DashboardServer server = DashboardServer.start(data, "127.0.0.1", 0);
             Chromium page = Chromium.open(server.url() + "?from=" + from + "&to=" + to)) {
            page.await("document.body !== null && document.body.dataset.ready === 'true'", Duration.ofMinutes(3));
            assertEquals("0", page.eval("String(document.querySelectorAll('[data-loaded=error]').length)").asText(),
                    "every tile loaded: " + page.eval("[...document.querySelectorAll('[data-error]')]"
                            + ".map(e => e.id + ': ' + e.dataset.error).join('; ')").asText());

            String range = "to_date(order_date) BETWEEN DATE'" + from + "' AND DATE'" + to + "'";
            Row orders = spark.sql("SELECT count_if(order_status = 'Completed'), "
                    + "sum(CASE WHEN order_status = 'Completed' THEN total_amount END), "
                    + "round(100.0 * count_if(order_status = 'Canceled') / count_if(order_status <> 'Pending'), 2) "
                    + "FROM gold.fact_sales WHERE NOT is_deleted AND " + range).first();
            assertEquals(String.valueOf(orders.getLong(0)), value(page, "kpi-successful_orders"));
            assertEquals(0, orders.getDecimal(1).compareTo(new BigDecimal(value(page, "kpi-sales"))), "sales");
            assertEquals(0, orders.getDecimal(2).compareTo(new BigDecimal(value(page, "kpi-failed_order_pct"))),
                    "failed orders %");
            assertTrue(page.eval("document.getElementById('kpi-sales').textContent").asText().startsWith("$"));

            Row top = spark.sql("SELECT p.name, sum(f.quantity) FROM gold.fact_order_details f JOIN gold.dim_product p "
                    + "ON p.product_id = f.product_id AND p.is_current WHERE f.order_status = 'Completed' AND NOT "
                    + "f.is_deleted AND to_date(f.order_date) BETWEEN DATE'" + from + "' AND DATE'" + to + "' "
                    + "GROUP BY f.product_id, p.name ORDER BY 2 DESC, f.product_id LIMIT 1").first();
            assertEquals(top.getString(0) + "|" + top.getLong(1), page.eval("(() => { const r = "
                    + "document.querySelector('#top_products tbody tr'); return r.querySelector('[data-col=name]')"
                    + ".dataset.value + '|' + r.querySelector('[data-col=units]').dataset.value; })()").asText());
            assertEquals("10", page.eval("document.getElementById('top_products').dataset.rows").asText());
            long tickets = spark.sql("SELECT count(*) FROM gold.fact_support_ticket WHERE date_created BETWEEN DATE'"
                    + from + "' AND DATE'" + to + "'").first().getLong(0);
            assertEquals(String.valueOf(tickets), value(page, "kpi-tickets"));
            long days = to.toEpochDay() - from.toEpochDay() + 1;
            assertEquals(String.valueOf(days), page.eval("String(echarts.getInstanceByDom(document.getElementById("
                    + "'chart-sales_by_day')).getOption().xAxis[0].data.length)").asText(), "one bar per day");
            Path shots = Files.createDirectories(Path.of("target/dashboard"));
            page.screenshot(shots.resolve("dashboard.png"));

            // the moment before the live phase: the warehouse as the checks above saw it
            String beforeLive = afterTheClockMoved(java.time.Instant.now()).toString();
            afterTheClockMoved(java.time.Instant.parse(beforeLive));

            // live: the shop runs, the stream follows, a batch runs beside them; the page is pushed each change
            page.eval("window.blanked = []; setInterval(() => { for (const id of Object.values(targets)) { "
                    + "const el = document.getElementById(id); if (el.dataset.loaded === 'true' && (el.dataset.error "
                    + "|| (el.textContent.trim() === '' && !el.querySelector('canvas')))) window.blanked.push(id); } }, 100); 1");
            String before = value(page, "kpi-live_store_actions");
            String updatesBefore = page.eval("document.getElementById('chart-live_traffic').dataset.updates").asText();
            EventStream stream = new EventStream(spark, config);
            stream.addListener(data.live()); // as the demo runs it: the live tiles move with each micro-batch
            stream.start(false);
            var background = Executors.newFixedThreadPool(2);
            // a day's traffic every 12 s: the shop of 3 generator ticks a day, at 7,200x
            var busyShop = TestStack.get().config(settings.with("spark.lakehouse.sim.speed",
                    "7200"));
            // two live ticks: the shop's catch-up reports are published (each deleting the one before)
            java.util.concurrent.CountDownLatch ticking = new java.util.concurrent.CountDownLatch(2);
            java.util.concurrent.atomic.AtomicBoolean seen = new java.util.concurrent.atomic.AtomicBoolean();
            Future<ShopSimulator.Summary> live = background.submit(() -> {
                try (var sim = ShopSimulator.open(busyShop)) {
                    // live until the page has shown what this test waits for (stopped between two ticks)
                    return sim.live(Duration.ofMinutes(5), Clock.systemUTC(), line -> {
                        if (line.startsWith("tick ")) {
                            ticking.countDown();
                        }
                    }, seen::get);
                }
            });
            Future<?> batch = background.submit(() -> {
                // a batch beside the stream, once the shop ticks live
                if (!ticking.await(180, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new AssertionError("the simulator did not tick live twice in 3 minutes");
                }
                SmallLake.batch(spark, config);
                return null;
            });
            try {
                page.await("document.getElementById('kpi-live_store_actions').dataset.value !== '" + before + "'",
                        Duration.ofSeconds(150));
                // the header knows the stream while it runs (its progress is recorded as micro-batches end)
                page.await("document.getElementById('freshness').dataset.lastStream !== ''"
                        + " && document.getElementById('freshness').textContent.includes('last micro-batch')"
                        + " && !document.getElementById('freshness').textContent.includes('micro-batch never')"
                        + " && /newest event \\d+ s ago/.test(document.getElementById('freshness').textContent)",
                        Duration.ofSeconds(60));
                batch.get(10, java.util.concurrent.TimeUnit.MINUTES);
            } finally {
                seen.set(true);
                // the simulator stops by itself (never interrupted mid-commit) and the stream catches up
                live.get(2, java.util.concurrent.TimeUnit.MINUTES);
                background.shutdown();
                stream.processAllAvailable();
                stream.stop();
            }
            long lastHour = spark.sql("SELECT coalesce(sum(store_actions), 0) FROM gold.live_traffic_minute WHERE minute > "
                    + "(SELECT max(minute) - INTERVAL 1 HOUR FROM gold.live_traffic_minute)").first().getLong(0);
            page.await("document.getElementById('kpi-live_store_actions').dataset.value === '" + lastHour + "'",
                    Duration.ofSeconds(30));
            assertTrue(Long.parseLong(page.eval("document.getElementById('chart-live_traffic').dataset.updates").asText())
                    > Long.parseLong(updatesBefore), "the live chart was redrawn by pushes");
            assertEquals("[]", page.eval("JSON.stringify([...new Set(window.blanked)])").asText(),
                    "no tile went blank after its first value");
            assertEquals("0", page.eval("String(document.querySelectorAll('[data-loaded=error]').length)").asText());
            page.screenshot(shots.resolve("dashboard-live.png"));

            asOfAPastMomentEveryTileIsTheWarehouseThen(spark, server, beforeLive, from, to, shots);
        }
    }

    /** As of a moment (and of a batch run), each tile equals its query with every table TIMESTAMP AS OF then. */
    private static void asOfAPastMomentEveryTileIsTheWarehouseThen(SparkSession spark, DashboardServer server,
            String moment, LocalDate from, LocalDate to, Path shots) throws Exception {
        String at = dev.shoplake.query.AsOf.moment(moment);
        String completed = "SELECT count_if(order_status = 'Completed') FROM gold.fact_sales%s WHERE NOT is_deleted "
                + "AND to_date(order_date) BETWEEN DATE'%s' AND DATE'%s'";
        LocalDate always = LocalDate.parse("2100-01-01");
        long then = spark.sql(String.format(completed, " TIMESTAMP AS OF '" + at + "'", SmallLake.FIRST_DAY, always))
                .first().getLong(0);
        long now = spark.sql(String.format(completed, "", SmallLake.FIRST_DAY, always)).first().getLong(0);
        assertTrue(now > then, "the live phase completed orders after the moment: " + then + " then, " + now + " now");
        var answer = get(server, "orders_summary?from=" + SmallLake.FIRST_DAY + "&to=" + always + "&as_of=" + moment);
        assertEquals(at, answer.get("as_of").asText());
        assertEquals(then, answer.get("rows").get(0).get("successful_orders").asLong(), answer.toString());

        // the page as of the moment: every tile drawn, the header says when, the numbers are those of then
        try (Chromium past = Chromium.open(server.url() + "?from=" + from + "&to=" + to + "&as_of=" + moment)) {
            past.await("document.body !== null && document.body.dataset.ready === 'true'", Duration.ofMinutes(2));
            assertEquals("0", past.eval("String(document.querySelectorAll('[data-loaded=error]').length)").asText(),
                    past.eval("[...document.querySelectorAll('[data-error]')].map(e => e.id + ': ' + e.dataset.error)"
                            + ".join('; ')").asText());
            assertTrue(past.eval("document.getElementById('freshness').textContent").asText().startsWith("as of " + at
                    + " UTC"), past.eval("document.getElementById('freshness').textContent").asText());
            long inRange = spark.sql(String.format(completed, " TIMESTAMP AS OF '" + at + "'", from, to)).first().getLong(0);
            assertEquals(String.valueOf(inRange), value(past, "kpi-successful_orders"));
            past.screenshot(shots.resolve("dashboard-as-of.png"));
        }

        // as of a batch run: the warehouse as that run found it (the moment before it started), the tile as of then
        Row run = spark.sql("SELECT run_id, date_format(started_at, 'yyyy-MM-dd HH:mm:ss.SSS') FROM ops.job_runs "
                + "WHERE job = 'gold' ORDER BY started_at DESC LIMIT 1").first();
        var ofRun = get(server, "orders_summary?from=" + SmallLake.FIRST_DAY + "&to=" + always + "&run=" + run.getString(0));
        String before = ofRun.get("as_of").asText();
        assertEquals(java.sql.Timestamp.valueOf(run.getString(1)).getTime() - 1, java.sql.Timestamp.valueOf(before).getTime());
        long completedThen = completedAsOf(spark, completed, before, SmallLake.FIRST_DAY, always);
        assertEquals(completedThen, ofRun.get("rows").get(0).get("successful_orders").asLong(), ofRun.toString());
        // the page as of that run: the header names the moment the run stands for, the tiles are of then
        try (Chromium past = Chromium.open(server.url() + "?from=" + from + "&to=" + to + "&run=" + run.getString(0))) {
            past.await("document.body !== null && document.body.dataset.ready === 'true'", Duration.ofMinutes(2));
            assertEquals("0", past.eval("String(document.querySelectorAll('[data-loaded=error]').length)").asText());
            String header = past.eval("document.getElementById('freshness').textContent").asText();
            assertTrue(header.startsWith("as of " + before + " UTC"), header);
            assertEquals(String.valueOf(completedAsOf(spark, completed, before, from, to)),
                    value(past, "kpi-successful_orders"));
        }
        assertEquals("{\"error\":\"no batch run nope\"}", getText(server, "orders_summary?run=nope"));
        assertTrue(getText(server, "orders_summary?as_of=yesterday").contains("not a moment"));
    }

    /** The completed orders of a range with fact_sales as of {@code moment}. */
    private static long completedAsOf(SparkSession spark, String completed, String moment, LocalDate from, LocalDate to) {
        try {
            return spark.sql(String.format(completed, " TIMESTAMP AS OF '" + moment + "'", from, to)).first().getLong(0);
        } catch (Exception notMovedSince) { // Delta refuses a moment after the last commit: the table then is the table now
            assertTrue(String.valueOf(notMovedSince.getMessage()).contains("DELTA_TIMESTAMP_GREATER_THAN_COMMIT"),
                    notMovedSince.toString());
            return spark.sql(String.format(completed, "", from, to)).first().getLong(0);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode get(DashboardServer server, String path) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(getText(server, path));
    }

    private static String getText(DashboardServer server, String path) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "api/query/" + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Returns once the clock is past {@code moment} (Delta's commit times are milliseconds). */
    private static java.time.Instant afterTheClockMoved(java.time.Instant moment) {
        while (!java.time.Instant.now().isAfter(moment.plusMillis(1))) {
            Thread.onSpinWait();
        }
        return java.time.Instant.now();
    }

    private static String value(Chromium page, String id) throws Exception {
        return page.eval("document.getElementById('" + id + "').dataset.value").asText();
    }
}
