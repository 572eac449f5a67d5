package dev.shoplake.cli;

import org.junit.jupiter.api.Order;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.ops.Reconciliation;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.stack.Ports;
import dev.shoplake.testing.TestSpark;
import dev.shoplake.testing.TestStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch job as a cluster runs it: a Spark standalone master and one worker started from the
 * Spark jars on 127.0.0.1, the slim jar submitted with spark-submit and a properties file, and the
 * tables it wrote then found by name from this (another) JVM.
 */
@Tag("integration")
@Order(5)
class SparkClusterIT {
    private static final TestStack STACK = TestStack.get();
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    @TempDir
    Path dir;

    @Test
    void theBatchJobRunsOnAStandaloneClusterThroughSparkSubmit() throws Exception {
        Settings settings = STACK.freshShopSettings().with("spark.lakehouse.sim.ticks-per-day", "2");
        LakehouseConfig config = STACK.config(settings);
        TestStack.simulate(config, 3, Instant.parse("2026-08-01T00:00:00Z"), 21);
        ShopDatabase db = new ShopDatabase(config.postgres());
        Path properties = dir.resolve("cluster.properties");
        StringBuilder props = new StringBuilder();
        settings.asMap().forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        props.append("""
                spark.sql.shuffle.partitions=2
                spark.default.parallelism=2
                spark.databricks.delta.snapshotPartitions=1
                spark.driver.host=127.0.0.1
                spark.driver.bindAddress=127.0.0.1
                spark.executor.memory=1g
                spark.cores.max=2
                spark.ui.enabled=false
                spark.sql.adaptive.enabled=false
                """);
        // the driver and the executor are short runs on 2 cores, as the tests' other CLI JVMs
        String shortRun = String.join(" ", dev.shoplake.testing.TestJvm.SHORT_RUN);
        props.append("spark.driver.extraJavaOptions=").append(shortRun).append('\n');
        props.append("spark.executor.extraJavaOptions=").append(shortRun).append('\n');
        Files.writeString(properties, props.toString());

        int masterPort = Ports.free();
        Path work = Files.createDirectories(dir.resolve("work"));
        String sqlOutput;
        String servedOutput;
        List<Process> cluster = new ArrayList<>();
        try {
            cluster.add(sparkClass(dir.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", String.valueOf(masterPort), "--webui-port",
                    String.valueOf(Ports.free())));
            awaitLog(dir.resolve("master.log"), "I have been elected leader");
            cluster.add(sparkClass(dir.resolve("worker.log"), "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--cores", "2", "--memory", "2g", "--work-dir", work.toString(),
                    "--webui-port", String.valueOf(Ports.free()), "spark://127.0.0.1:" + masterPort));
            awaitLog(dir.resolve("worker.log"), "Successfully registered with master");

            Process job = submit(masterPort, properties, "submit.log", "batch");
            assertTrue(job.waitFor(15, TimeUnit.MINUTES), "the job finishes");
            assertEquals(0, job.exitValue(), () -> tail(dir.resolve("submit.log")));

            // the SQL shell from the same jar, on the cluster: tables by name, then one error line for a bad
            // query, where the script stops (exit 1)
            Process query = submit(masterPort, properties, "sql.log", "sql", "-e",
                    "SELECT count(*) AS orders FROM gold.fact_sales; SELECT no_such_column FROM gold.fact_sales;");
            assertTrue(query.waitFor(5, TimeUnit.MINUTES), "the queries finish");
            assertEquals(1, query.exitValue(), () -> tail(dir.resolve("sql.log")));
            sqlOutput = Files.readString(dir.resolve("sql.log"));
            List<String> errors = sqlOutput.lines().filter(l -> l.startsWith("error: ")).toList();
            assertEquals(1, errors.size(), () -> tail(dir.resolve("sql.log")));
            assertTrue(errors.get(0).contains("no_such_column"), errors.get(0));

            // lakehouse serve as an application of the cluster, and a thin client of it
            int servePort = Ports.free();
            Path serveProperties = dir.resolve("serve.properties");
            Files.writeString(serveProperties, props + "spark.lakehouse.serve.port=" + servePort + "\n");
            String token = "cluster-" + java.util.UUID.randomUUID();
            Process serve = submit(masterPort, serveProperties, "serve.log", Map.of(LakehouseConfig.ENV_CONNECT_TOKEN, token),
                    "serve");
            try {
                awaitLog(dir.resolve("serve.log"), "serving the lake over Spark Connect at sc://127.0.0.1:" + servePort);
                ProcessBuilder thin = new ProcessBuilder(ROOT.resolve("bin/lakehouse").toString(), "sql", "--remote",
                        "sc://127.0.0.1:" + servePort, "-e", "SET spark.master; SELECT count(*) AS orders FROM gold.fact_sales;")
                        .redirectErrorStream(true);
                thin.environment().put(LakehouseConfig.ENV_CONNECT_TOKEN, token);
                Process client = thin.start();
                servedOutput = new String(client.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(client.waitFor(2, TimeUnit.MINUTES), servedOutput);
                assertEquals(0, client.exitValue(), servedOutput);
            } finally {
                serve.destroy(); // SIGTERM, as Ctrl-C
                assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve stops on SIGTERM");
            }
            assertTrue(!Files.readString(dir.resolve("serve.log")).contains(token), "the token is in no log");
        } finally {
            for (Process p : cluster) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
        try (Stream<Path> apps = Files.list(work)) {
            assertEquals(3L, apps.filter(p -> p.getFileName().toString().startsWith("app-")).count(),
                    "executors ran on the worker, for the batch, the queries and the server");
        }
        long sales;
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sales")) {
            rs.next();
            sales = rs.getLong(1);
        }
        // the tables by name in the cluster's JVMs; here by path, beside the classes on this JVM's session
        assertTrue(sqlOutput.contains("| orders |") && sqlOutput.contains(" " + sales + " |"), sqlOutput);
        assertTrue(servedOutput.contains("| spark.master | spark://127.0.0.1:" + masterPort + " |")
                && servedOutput.contains(" " + sales + " |"), "the server's Spark is the cluster's: " + servedOutput);
        SparkSession spark = TestSpark.isolated();
        DeltaWriter lake = new DeltaWriter(spark, config.lakeRoot());
        assertEquals(sales, lake.read(LakeTables.GOLD_FACT_SALES).count());
        assertEquals(List.of("bronze", "gold", "silver"), lake.read(LakeTables.OPS_JOB_RUNS).select("job").distinct()
                .orderBy("job").collectAsList().stream().map(r -> r.getString(0)).toList());
        assertEquals(List.of(), Reconciliation.compare(spark, lake, config.postgres()));
    }

    private Process submit(int masterPort, Path properties, String log, String... args) throws IOException {
        return submit(masterPort, properties, log, Map.of(), args);
    }

    private Process submit(int masterPort, Path properties, String log, Map<String, String> env, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/spark-submit").toString(),
                "--master", "spark://127.0.0.1:" + masterPort, "--deploy-mode", "client",
                "--properties-file", properties.toString(), "--class", Lakehouse.class.getName(),
                System.getProperty("shoplake.spark.jar")));
        command.addAll(List.of(args));
        ProcessBuilder submit = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile());
        submit.environment().putAll(STACK.env());
        submit.environment().putAll(env);
        return submit.start();
    }

    private Process sparkClass(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("bin/spark-class").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().putAll(Map.of("SPARK_LOG_DIR", dir.toString(), "SPARK_PID_DIR", dir.toString()));
        return pb.start();
    }

    private static void awaitLog(Path log, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("'" + text + "' never appeared in " + log + ":\n" + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
