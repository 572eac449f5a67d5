package dev.shoplake.dashboard;

import dev.shoplake.config.Json;
import dev.shoplake.query.AsOf;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's web server: the page and its script, ECharts from the project's own classpath
 * (a WebJar: the page needs no CDN), {@code /api/query/<name>?from=&to=} answering one tile from
 * {@link DashboardData}, and {@code /api/follow?from=&to=}: server-sent events, every tile of the
 * range as held now, then each new answer as the tables it reads move. {@code as_of=<moment>} or
 * {@code run=<run id>} on a query answers it as the warehouse was then. Binds to one address
 * (loopback by default).
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    private static final Map<String, String> STATIC = Map.of(
            "/", "/dashboard/index.html",
            "/index.html", "/dashboard/index.html",
            "/dashboard.js", "/dashboard/dashboard.js",
            "/dashboard.css", "/dashboard/dashboard.css",
            "/echarts.min.js", ECHARTS);

    /** A follower that hears nothing for this long gets a comment line: a closed page is noticed. */
    private static final long HEARTBEAT_MS = 10_000;
    /** Pages following at once: each holds a connection (and a thread) while it is open. */
    private static final int MAX_FOLLOWERS = 64;

    private final HttpServer server;
    private final ExecutorService pool;
    private final DashboardData data;
    private final String banner;
    private final java.util.concurrent.Semaphore followSlots = new java.util.concurrent.Semaphore(MAX_FOLLOWERS);
    private volatile boolean closing;

    private DashboardServer(HttpServer server, ExecutorService pool, DashboardData data, String banner) {
        this.server = server;
        this.pool = pool;
        this.data = data;
        this.banner = banner;
    }

    public static DashboardServer start(DashboardData data, String host, int port) throws IOException {
        return start(data, host, port, "");
    }

    /** @param banner a line the page shows in its header (e.g. the simulator's speed), or "" */
    public static DashboardServer start(DashboardData data, String host, int port, String banner) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        // a following page holds its thread for as long as it is open: a pool that grows with them
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dashboard-http");
            t.setDaemon(true);
            return t;
        });
        DashboardServer dashboard = new DashboardServer(server, pool, data, banner);
        server.createContext("/", dashboard::handle);
        server.setExecutor(pool);
        server.start();
        LOG.info("dashboard at {}", dashboard.url());
        return dashboard;
    }

    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/";
    }

    /** The answers this server serves: a stream in the same JVM hands them its micro-batches ({@link DashboardData#live}). */
    public DashboardData data() {
        return data;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET")) {
                send(exchange, 405, "text/plain", "GET only".getBytes(StandardCharsets.UTF_8));
            } else if (STATIC.containsKey(path)) {
                serveResource(exchange, STATIC.get(path));
            } else if (path.equals("/api/queries")) {
                send(exchange, 200, "application/json", Json.write(data.names()).getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/api/query/")) {
                answer(exchange, path.substring("/api/query/".length()));
            } else if (path.equals("/api/follow")) {
                follow(exchange);
            } else if (path.equals("/api/info")) {
                send(exchange, 200, "application/json", Json.write(Json.object().put("banner", banner))
                        .getBytes(StandardCharsets.UTF_8));
            } else {
                send(exchange, 404, "text/plain", ("no such page: " + path).getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            LOG.warn("dashboard request {} failed: {}", exchange.getRequestURI(), e.toString());
        }
    }

    private void answer(HttpExchange exchange, String name) throws IOException {
        LocalDate[] range = range(exchange);
        if (range == null) {
            return;
        }
        if (!data.names().contains(name)) {
            send(exchange, 404, "application/json", error("no query named " + name));
            return;
        }
        Map<String, String> q = query(exchange.getRequestURI());
        String moment;
        try {
            moment = q.containsKey("as_of") ? AsOf.moment(q.get("as_of"))
                    : q.containsKey("run") ? data.momentOfRun(q.get("run")).orElse(null) : null;
        } catch (dev.shoplake.config.BadInputException e) {
            send(exchange, 400, "application/json", error(e.getMessage()));
            return;
        }
        if (q.containsKey("run") && moment == null) {
            send(exchange, 404, "application/json", error("no batch run " + q.get("run")));
            return;
        }
        String json = moment == null ? data.answer(name, range[0], range[1]) : data.answerAsOf(name, range[0], range[1], moment);
        send(exchange, 200, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Server-sent events: one {@code data:} line per answer (a tile's JSON), pushed as it changes,
     * until the page goes away; a comment line every few seconds of quiet tells a closed page.
     */
    private void follow(HttpExchange exchange) throws IOException {
        LocalDate[] range = range(exchange);
        if (range == null) {
            return;
        }
        if (!followSlots.tryAcquire()) {
            send(exchange, 503, "text/plain", "too many pages follow the dashboard".getBytes(StandardCharsets.UTF_8));
            return;
        }
        java.util.concurrent.BlockingQueue<String> out = new java.util.concurrent.LinkedBlockingQueue<>();
        try (AutoCloseable following = data.follow(range[0], range[1], out::add)) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            body.write(": following\n\n".getBytes(StandardCharsets.UTF_8));
            body.flush();
            while (!closing) {
                String json = out.poll(HEARTBEAT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
                // an answer is one line of JSON (Spark and Jackson write no newline in one)
                body.write((json == null ? ": quiet\n\n" : "data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
                body.flush();
            }
        } catch (IOException gone) {
            // the page was closed: stop following
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("dashboard follower failed: {}", e.toString());
        } finally {
            followSlots.release();
        }
    }

    /** The request's from and to (defaults: the 30 days to today, UTC), or null after answering 400. */
    private static LocalDate[] range(HttpExchange exchange) throws IOException {
        Map<String, String> q = query(exchange.getRequestURI());
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate from;
        LocalDate to;
        try {
            to = q.containsKey("to") ? LocalDate.parse(q.get("to")) : today;
            from = q.containsKey("from") ? LocalDate.parse(q.get("from")) : to.minusDays(29);
        } catch (DateTimeParseException e) {
            send(exchange, 400, "application/json", error("from and to are dates, yyyy-MM-dd: "
                    + e.getParsedString()));
            return null;
        }
        if (from.isAfter(to)) {
            send(exchange, 400, "application/json", error("from is after to"));
            return null;
        }
        return new LocalDate[] {from, to};
    }

    /** A JSON error body: {"error": message}. */
    private static byte[] error(String message) {
        return Json.write(Json.object().put("error", message)).getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> params = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void serveResource(HttpExchange exchange, String resource) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                send(exchange, 404, "text/plain", ("missing resource " + resource).getBytes(StandardCharsets.UTF_8));
                return;
            }
            String type = resource.endsWith(".html") ? "text/html; charset=utf-8"
                    : resource.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            send(exchange, 200, type, in.readAllBytes());
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        closing = true;
        server.stop(0);
        pool.shutdownNow();
        data.close();
    }
}
