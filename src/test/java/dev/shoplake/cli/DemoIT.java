package dev.shoplake.cli;

import org.junit.jupiter.api.Order;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.Settings;
import dev.shoplake.stack.Ports;
import dev.shoplake.testing.TestStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a user runs it, in its own JVM with its own stack: it backfills
 * keeping every day's report, goes live with the dashboard up and a batch every few seconds, and
 * stops cleanly on Ctrl-C (SIGTERM) in the middle of a scheduled batch, leaving no process behind.
 */
@Tag("integration")
@Order(2) // the longest classes off the session start first, beside the session's
class DemoIT {
    @TempDir
    Path dir;

    @Test
    void theDemoGoesLiveServesTheDashboardRunsBatchesAndStopsCleanlyOnCtrlC() throws Exception {
        int dashboardPort = Ports.free();
        int connectPort = Ports.free();
        Settings settings = TestStack.baseSettings(dir.resolve("stack"), Ports.free(), Ports.free(), TestStack.freePair())
                .with("spark.lakehouse.lake.root", dir.resolve("lake").toString())
                .with("spark.lakehouse.serve.port", String.valueOf(connectPort));
        Map<String, String> env = new java.util.HashMap<>(TestStack.secrets());
        env.put(dev.shoplake.config.LakehouseConfig.ENV_CONNECT_TOKEN, "demo-" + java.util.UUID.randomUUID());
        Path conf = dev.shoplake.testing.TestJvm.configFile(settings, dir.resolve("demo.properties"));
        Path log = dir.resolve("demo.log");
        List<String> command = dev.shoplake.testing.TestJvm.lakehouse("2g", "demo", "--config", conf.toString(),
                "--days", "3", "--port", String.valueOf(dashboardPort), "--batch-every", "20");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process demo = pb.start();
        long postgres = -1;
        try {
            awaitLog(demo, log, "[4/5] live after", 600);
            // PostgreSQL runs under pg_ctl, not as the demo's child: its pid is in its data directory
            postgres = Long.parseLong(Files.readAllLines(dir.resolve("stack").resolve("postgres").resolve("postmaster.pid"))
                    .get(0).trim());
            // the live shop and the stream run while the first batch lands the backfilled month
            awaitLog(demo, log, "[5/5] the first batch landed after", 600);
            // once a minute the console says how late the stream is
            awaitLog(demo, log, "events in the last minute, event to gold p50", 120);
            String text = Files.readString(log);
            for (int day = 1; day <= 3; day++) {
                assertTrue(text.contains("backfill day " + day + "/3:") && text.contains("report kept: customer_support_data_"),
                        "a progress line per day, each keeping its report:\n" + text);
            }
            assertTrue(text.contains("3 file(s) landed"), "the batch landed the three kept reports:\n" + text);
            assertTrue(text.contains("dashboard   http://127.0.0.1:" + dashboardPort + "/"), text);
            assertTrue(text.contains("connect     sc://127.0.0.1:" + connectPort + " (Spark Connect"), text);
            // sql as a user types it: the thin client asks the demo's own warm Spark
            ProcessBuilder sql = new ProcessBuilder(Path.of("bin/lakehouse").toAbsolutePath().toString(), "--config",
                    conf.toString(), "sql", "-e", "SET spark.app.name; SELECT count(*) AS n FROM gold.fact_sales;")
                    .redirectErrorStream(true);
            sql.environment().putAll(env);
            Process asked = sql.start();
            String answer = new String(asked.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(asked.waitFor(120, TimeUnit.SECONDS), answer);
            assertEquals(0, asked.exitValue(), answer);
            assertTrue(answer.contains("| spark.app.name | shoplake-demo |") && answer.matches("(?s).*\\| +[1-9][0-9]* \\|.*"),
                    "the demo's Spark answers, gold has sales: " + answer);
            assertTrue(!text.contains(env.get(dev.shoplake.config.LakehouseConfig.ENV_CONNECT_TOKEN)), "the token is in no log");

            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + dashboardPort + "/";
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("echarts.min.js"), page.body());
            String orders = http.send(HttpRequest.newBuilder(URI.create(base + "api/query/orders_summary")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(orders.matches(".*\"successful_orders\":[1-9].*"), "the dashboard answers from gold: " + orders);
            assertEquals(400, http.send(HttpRequest.newBuilder(URI.create(base + "api/query/orders_summary?from=x"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "a bad date is refused");

            // the schedule runs the next batch (one at a time, 20 s apart: the checks above run beside no more than
            // one); Ctrl-C then lands in the middle of the next one to start, which it cancels
            int seen = Files.readString(log).length();
            awaitLog(demo, log, seen, "batch (every 20 s):", "bronze run ", 240);
        } finally {
            List<ProcessHandle> children = demo.descendants().toList();
            demo.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook stops every part
            boolean exited = demo.waitFor(180, TimeUnit.SECONDS);
            if (!exited) {
                demo.destroyForcibly();
            }
            // kept for a look after the run: the temporary directory goes with the test
            Files.copy(log, Path.of("target/demo-it.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertTrue(exited, "the demo stops within 3 minutes of Ctrl-C:\n" + tail(log));
            for (ProcessHandle child : children) {
                child.onExit().get(60, TimeUnit.SECONDS);
            }
            if (postgres > 0) {
                var server = ProcessHandle.of(postgres);
                try {
                    if (server.isPresent()) {
                        server.get().onExit().get(60, TimeUnit.SECONDS);
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("PostgreSQL (pid " + postgres + ") outlived the demo by a minute");
                }
            }
        }
        String text = Files.readString(log);
        assertTrue(text.contains("stopping: simulator, batch schedule, stream, dashboard, stack") && text.contains("demo stopped"),
                tail(log));
        // Ctrl-C came while the scheduled batch was in silver: cancelled there, not run on through gold
        String afterStop = text.substring(text.indexOf("stopping: simulator"));
        assertTrue(afterStop.contains("batch failed (the next one retries)") && !afterStop.contains("gold run "),
                "the batch under way was cancelled:\n" + tail(log));
    }

    private static void awaitLog(Process p, Path log, String line, int seconds) throws Exception {
        awaitLog(p, log, 0, "", line, seconds);
    }

    /** Waits for {@code line} to come after the first {@code after} that comes after the log's first {@code from} characters. */
    private static void awaitLog(Process p, Path log, int from, String after, String line, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + Math.max(1, seconds) * 1000L;
        while (!following(Files.readString(log), from, after).contains(line)) {
            if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                throw new AssertionError("'" + line + "' never came:\n" + tail(log));
            }
            Thread.sleep(500);
        }
    }

    /** The log from the first {@code after} past its first {@code from} characters (empty while there is none). */
    private static String following(String text, int from, String after) {
        int at = text.indexOf(after, from);
        return at < 0 ? "" : text.substring(at);
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
