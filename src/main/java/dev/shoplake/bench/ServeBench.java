package dev.shoplake.bench;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.serve.ConnectClient;
import dev.shoplake.serve.ConnectServer;
import dev.shoplake.stack.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;

/**
 * Issue 18's figures: the bench's lake served over Spark Connect from the bench's own Spark, then
 * a small aggregate asked warm through a thin session, {@code bin/lakehouse sql -e} as a whole
 * process (the thin client), each notebook executed with its thin kernel, and 20 kernel starts.
 */
final class ServeBench {
    private static final String AGGREGATE = "SELECT order_status, count(*) AS orders, sum(total_amount) AS amount "
            + "FROM gold.fact_sales GROUP BY order_status";
    private static final Path KERNEL = Path.of("target/jupyter/kernels/shoplake-java/kernel.json");

    private final BenchResult result;
    private final StringBuilder report;
    private final Consumer<String> say;
    private final Path outDir;

    ServeBench(BenchResult result, StringBuilder report, Consumer<String> say, Path outDir) {
        this.result = result;
        this.report = report;
        this.say = say;
        this.outDir = outDir;
    }

    void run(SparkSession spark, LakehouseConfig.Serve configured) throws Exception {
        String token = configured.token().isEmpty() ? "bench-" + UUID.randomUUID() : configured.token();
        LakehouseConfig.Serve serve = new LakehouseConfig.Serve("127.0.0.1", Ports.free(), token);
        report.append("\n## One warm Spark: `serve` and its thin clients\n\n");
        try (ConnectServer server = ConnectServer.start(spark, serve)) {
            aggregate(server.url(), token);
            sqlProcess(server.url(), token);
            notebooks(server.url(), token);
        }
    }

    /** The small aggregate through one thin session: the first answer, then 30 warm ones. */
    private void aggregate(String url, String token) throws Exception {
        try (SparkSession client = ConnectClient.open(url, token)) {
            long t0 = System.nanoTime();
            client.sql(AGGREGATE).collectAsList();
            double first = ms(t0);
            List<Double> warm = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                long t = System.nanoTime();
                client.sql(AGGREGATE).collectAsList();
                warm.add(ms(t));
            }
            warm.sort(Double::compare);
            result.put("connect_first_ms", Math.round(first)).put("connect_aggregate_p50_ms", Math.round(warm.get(15)))
                    .put("connect_aggregate_p95_ms", Math.round(warm.get(28)));
            report.append(String.format("- a small aggregate over Spark Connect (orders by status): first in a new session "
                    + "%.0f ms, then warm **p50 %.0f ms**, p95 %.0f ms (30 asks)%n", first, warm.get(15), warm.get(28)));
            say.accept(String.format("connect aggregate: p50 %.0f ms", warm.get(15)));
        }
    }

    /** bin/lakehouse sql -e as a user types it, the server answering: the whole process, five times after a first. */
    private void sqlProcess(String url, String token) throws Exception {
        List<Double> runs = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // the first may record the thin client's class-data archive
            long t0 = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder("bin/lakehouse", "sql", "--remote", url, "-e",
                    "SELECT count(*) FROM gold.fact_sales").redirectErrorStream(true);
            pb.environment().put(LakehouseConfig.ENV_CONNECT_TOKEN, token);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("bin/lakehouse sql failed: " + out);
            }
            if (i > 0) {
                runs.add(ms(t0) / 1e3);
            }
        }
        result.put("sql_remote_process_s", BenchResult.spread(runs));
        report.append(String.format("- `bin/lakehouse sql -e \"SELECT count(*) FROM gold.fact_sales\"`, whole process on the "
                + "server: **%.2f s** median (%.2f-%.2f, 5 runs)%n", BenchResult.median(runs),
                runs.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                runs.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
        say.accept(String.format("sql -e on the server: %.2f s", BenchResult.median(runs)));
    }

    /** Each notebook executed with its thin kernel, and 20 kernel starts: how many hang (no answer within 30 s). */
    private void notebooks(String url, String token) throws Exception {
        if (!Files.exists(KERNEL)) {
            report.append("- notebooks: not measured (no kernel; run bin/setup-notebooks)\n");
            return;
        }
        Path out = Files.createDirectories(outDir.resolve("notebooks"));
        List<String> each = new ArrayList<>();
        try (var files = Files.list(Path.of("notebooks"))) {
            for (Path nb : files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList()) {
                long t0 = System.nanoTime();
                Run run = nbconvert(nb, out, url, token);
                each.add(String.format("%s %.0f s%s", nb.getFileName(), ms(t0) / 1e3, run.ok() ? ""
                        : " (failed: " + run.log().getFileName() + ")"));
                result.put("notebook_" + nb.getFileName().toString().replace(".ipynb", "") + "_s",
                        BenchResult.round(ms(t0) / 1e3));
            }
        }
        Path probe = out.resolve("kernel-start.ipynb");
        Files.writeString(probe, "{\"cells\":[{\"cell_type\":\"code\",\"execution_count\":null,\"metadata\":{},"
                + "\"outputs\":[],\"source\":[\"1 + 1\"]}],\"metadata\":{\"kernelspec\":{\"name\":\"shoplake-java\","
                + "\"display_name\":\"Java\",\"language\":\"java\"}},\"nbformat\":4,\"nbformat_minor\":5}");
        int hung = 0;
        int failed = 0;
        List<Double> starts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            Run run = nbconvert(probe, out.resolve("starts"), url, token);
            if (!run.ok()) {
                // a kernel that never answered (nbconvert's startup timeout) hung; anything else failed
                boolean timedOut = Files.readString(run.log()).contains("TimeoutError")
                        || Files.readString(run.log()).contains("Kernel didn't respond");
                hung += timedOut ? 1 : 0;
                failed += timedOut ? 0 : 1;
            }
            starts.add(ms(t0) / 1e3);
        }
        result.put("kernel_starts", 20).put("kernel_starts_hung", hung).put("kernel_starts_failed", failed)
                .put("kernel_start_s", BenchResult.spread(starts));
        report.append("- notebooks executed (thin kernel, on the server): ").append(String.join(", ", each)).append('\n');
        report.append(String.format("- 20 kernel starts (a one-cell notebook each): **%d hung**, %d failed otherwise, %.1f s "
                + "median each (logs in %s)%n", hung, failed, BenchResult.median(starts), out.resolve("starts")));
        say.accept("notebooks: " + each + "; kernel starts hung: " + hung + " of 20");
    }

    /** One nbconvert: whether it succeeded, and its log. */
    private record Run(boolean ok, Path log) {
    }

    private static Run nbconvert(Path notebook, Path outDir, String url, String token) throws Exception {
        Files.createDirectories(outDir);
        Path log = Files.createTempFile(outDir, notebook.getFileName().toString().replace(".ipynb", "-"), ".log");
        ProcessBuilder pb = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.startup_timeout=30",
                "--output-dir", outDir.toAbsolutePath().toString(), notebook.toAbsolutePath().toString())
                .directory(notebook.toAbsolutePath().getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JUPYTER_PATH", Path.of("target/jupyter").toAbsolutePath().toString());
        pb.environment().put(dev.shoplake.notebook.Notebook.ENV_CONNECT, url);
        pb.environment().put(LakehouseConfig.ENV_CONNECT_TOKEN, token);
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return new Run(false, log);
        }
        return new Run(p.exitValue() == 0, log);
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
