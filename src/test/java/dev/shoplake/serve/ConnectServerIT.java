package dev.shoplake.serve;

import org.junit.jupiter.api.Order;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.testing.TestSpark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.stack.Ports;
import dev.shoplake.testing.LakeServer;
import dev.shoplake.testing.SmallLake;
import dev.shoplake.testing.TestStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 'lakehouse serve' as an operator starts it, and clients with nothing but the Spark Connect JVM
 * client on their classpath (their own JVM: src/test/resources/connect/ConnectProbe.java).
 */
@Tag("integration")
@Order(7)
class ConnectServerIT {
    private static final SmallLake LAKE = SmallLake.get();
    private static String TOKEN;
    private static LakeServer server;
    private static Path conf;
    private static Path log;
    private static int port;

    private static Path probeClasses;

    @BeforeAll
    static void serve() throws Exception {
        server = LakeServer.small(); // the notebooks' server too: started once per test run
        TOKEN = LakeServer.smallToken();
        port = server.port();
        conf = server.config();
        log = server.log();
    }

    private static Process start(Path out, Map<String, String> env, String... args) throws IOException {
        return LakeServer.start(out, env, args);
    }

    private static String clientClasspath() throws IOException {
        return Files.readString(Path.of(System.getProperty("shoplake.connect.classpath.file"))).strip();
    }

    /** The probe compiled once against the client's classpath (javac per launch cost each of 20 clients seconds). */
    private static synchronized Path probeClasses() throws IOException {
        if (probeClasses == null) {
            Path out = Files.createTempDirectory("connect-probe");
            int compiled = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(),
                    "-cp", clientClasspath(), Path.of("src/test/resources/connect/ConnectProbe.java").toString());
            assertEquals(0, compiled, "the probe compiles against the Spark Connect client alone");
            probeClasses = out;
        }
        return probeClasses;
    }

    /** The probe's command line: java with the client's classpath only, as any Spark Connect client runs. */
    private static List<String> probe(String... statements) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", probeClasses() + java.io.File.pathSeparator
                        + clientClasspath(), "ConnectProbe", "sc://127.0.0.1:" + port));
        command.addAll(List.of(statements));
        return command;
    }

    /** Runs the probe with this token (null: none) and returns its ROW / ERROR lines. */
    private static List<String> ask(String token, String... statements) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(probe(statements)).redirectErrorStream(true);
        pb.environment().remove(LakehouseConfig.ENV_CONNECT_TOKEN);
        if (token != null) {
            pb.environment().put(LakehouseConfig.ENV_CONNECT_TOKEN, token);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), out);
        return out.lines().filter(l -> l.startsWith("ROW\t") || l.startsWith("ERROR\t")).toList();
    }

    @Test
    void aThinClientQueriesTablesByNameTravelsInTimeAndGoesOnAfterAFailedQuery() throws Exception {
        SparkSession spark = TestSpark.isolated(); // the expected answers by path, beside the classes on the session
        String sales = LAKE.at(LakeTables.GOLD_FACT_SALES);
        long versionZeroSales = spark.sql("SELECT count(*) FROM " + sales + " VERSION AS OF 0").first().getLong(0);
        Row first = spark.sql("DESCRIBE HISTORY " + sales).orderBy("version").first();
        Timestamp firstCommit = first.getTimestamp(first.fieldIndex("timestamp"));
        long ordersInTheSource;
        var pg = LAKE.config().postgres();
        try (var c = java.sql.DriverManager.getConnection(pg.url(), pg.user(), pg.requirePassword());
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM sales")) {
            rs.next();
            ordersInTheSource = rs.getLong(1);
        }
        List<String> rows = ask(TOKEN,
                "SELECT count(*) FROM gold.fact_sales WHERE NOT is_deleted",
                "SELECT nope FROM gold.fact_sales",
                "SELECT count(*) FROM gold.fact_sales VERSION AS OF 0",
                "SELECT count(*) FROM gold.fact_sales TIMESTAMP AS OF '" + firstCommit + "'",
                "CONF " + ConnectServer.TOKEN_KEY,
                "SELECT count(*) FROM ops.job_runs");
        assertEquals(6, rows.size(), String.join("\n", rows));
        assertEquals("ROW\t" + ordersInTheSource, rows.get(0), "the orders PostgreSQL holds");
        assertTrue(rows.get(1).startsWith("ERROR\t[UNRESOLVED_COLUMN"), rows.get(1));
        assertEquals("ROW\t" + versionZeroSales, rows.get(2), "VERSION AS OF");
        assertEquals("ROW\t" + versionZeroSales, rows.get(3), "TIMESTAMP AS OF the first commit");
        assertEquals("ROW\t<unset>", rows.get(4), "the token cannot be read back through spark.conf");
        assertEquals("ROW\t" + spark.sql("SELECT * FROM " + LAKE.at(LakeTables.OPS_JOB_RUNS)).count(), rows.get(5), "after a failed query the session goes on");
    }

    /**
     * The Scala shell on the client's jars and the project's jar (the client brings the Scala compiler
     * and its REPL), fed the README's lines ({@code src/test/resources/connect/shell.scala}, on this
     * server's port).
     */
    @Test
    void theScalaShellOnTheClientJarsRunsTheReadmesLines() throws Exception {
        String lines = Files.readString(Path.of("src/test/resources/connect/shell.scala"))
                .replace("sc://127.0.0.1:15002", "sc://127.0.0.1:" + port);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("shoplake.jar") + ":"
                        + Files.readString(Path.of(System.getProperty("shoplake.connect.classpath.file"))).strip(),
                "scala.tools.nsc.MainGenericRunner", "-usejavacp").redirectErrorStream(true);
        pb.environment().put(LakehouseConfig.ENV_CONNECT_TOKEN, TOKEN);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write((lines + "\n:quit\n").getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), out);
        StringBuilder expected = new StringBuilder();
        for (Row r : TestSpark.isolated().sql("SELECT order_status, count(*) AS orders FROM " + LAKE.at(LakeTables.GOLD_FACT_SALES)
                + " GROUP BY order_status "
                + "ORDER BY order_status").collectAsList()) {
            expected.append(String.format("|%s|%s|", r.get(0), r.get(1)).replaceAll("\\s", ""));
        }
        String table = out.lines().filter(l -> l.startsWith("|") && !l.contains("order_status"))
                .map(l -> l.replaceAll("\\s", "")).collect(java.util.stream.Collectors.joining());
        assertEquals(expected.toString(), table, "the shell printed the statuses and counts of gold.fact_sales:\n" + out);
    }

    /** Runs bin/lakehouse as a user types it, with this token in the environment; its exit code and output. */
    private static Map.Entry<Integer, String> lakehouseCli(String token, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of("bin/lakehouse").toAbsolutePath().toString(),
                "--config", conf.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(TestStack.get().env());
        pb.environment().put(LakehouseConfig.ENV_CONNECT_TOKEN, token);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), out);
        return Map.entry(p.exitValue(), out);
    }

    @Test
    void sqlRunsOnTheRunningServerAndOnASparkOfItsOwnWhenNoneAnswers() throws Exception {
        long sales = TestSpark.isolated().sql("SELECT * FROM " + LAKE.at(LakeTables.GOLD_FACT_SALES)).count();
        // the configured server answers: the thin client (no Spark engine on its classpath) asks it
        var served = lakehouseCli(TOKEN, "sql", "-e", "SET spark.app.name; SELECT count(*) AS n FROM gold.fact_sales;");
        assertEquals(0, served.getKey(), served.getValue());
        assertTrue(served.getValue().contains("| spark.app.name | shoplake-serve |"), served.getValue());
        assertTrue(served.getValue().contains("| " + sales + " |"), served.getValue());
        // named explicitly, and a failing statement: one error line, exit 1
        var remote = lakehouseCli(TOKEN, "sql", "--remote", "sc://127.0.0.1:" + port, "-e", "SELECT nope;");
        assertEquals(1, remote.getKey(), remote.getValue());
        assertTrue(remote.getValue().strip().startsWith("error: [UNRESOLVED_COLUMN"), remote.getValue());
        // a wrong token, or a server that does not answer: one line, exit 2, at once
        var refused = lakehouseCli("wrong-" + TOKEN, "sql", "-e", "SELECT 1;");
        assertEquals(2, refused.getKey(), refused.getValue());
        assertEquals("error: the server at sc://127.0.0.1:" + port + " refused the token in LAKEHOUSE_CONNECT_TOKEN "
                + "(the one 'lakehouse serve' was started with)", refused.getValue().strip());
        int nobody = Ports.free();
        var absent = lakehouseCli(TOKEN, "sql", "--remote", "sc://127.0.0.1:" + nobody, "-e", "SELECT 1;");
        assertEquals(2, absent.getKey(), absent.getValue());
        assertEquals("error: no lakehouse serve answers at sc://127.0.0.1:" + nobody, absent.getValue().strip());
        // no server where the settings say: the same command on a Spark of its own, same answer
        var local = lakehouseCli(TOKEN, "--conf", "spark.lakehouse.serve.port=" + nobody, "sql", "-e",
                "SET spark.app.name; SELECT count(*) AS n FROM gold.fact_sales;");
        assertEquals(0, local.getKey(), local.getValue());
        assertTrue(local.getValue().contains("| spark.app.name | shoplake-sql |"), local.getValue());
        assertTrue(local.getValue().contains("| " + sales + " |"), local.getValue());
    }

    @Test
    void noTokenOrAWrongOneIsRefused() throws Exception {
        assertEquals(List.of("ERROR\torg.sparkproject.io.grpc.StatusRuntimeException: UNAUTHENTICATED: "
                + "No authentication token provided"), ask(null, "SELECT 1"));
        assertEquals(List.of("ERROR\torg.sparkproject.io.grpc.StatusRuntimeException: UNAUTHENTICATED: "
                + "Invalid authentication token"), ask("wrong-" + TOKEN, "SELECT 1"));
    }

    @Test
    void twentyClientsAtOnceAndOneThatDisconnectsMidQueryHasItsQueryCancelledAndHurtsNoOne() throws Exception {
        // a client killed in the middle of a long query
        Path longOut = Files.createTempFile("long-query", ".out");
        ProcessBuilder longQuery = new ProcessBuilder(probe("SELECT count(*) FROM range(0, 100000000000)"))
                .redirectErrorStream(true).redirectOutput(longOut.toFile());
        longQuery.environment().put(LakehouseConfig.ENV_CONNECT_TOKEN, TOKEN);
        Process killed = longQuery.start();
        // killed once the query was analysed (a session's first statement costs the server seconds of CPU)
        // and the server has then worked on running it for two seconds of CPU
        long deadline = System.currentTimeMillis() + 180_000;
        while (!Files.readString(longOut).contains("SENT\t")) {
            assertTrue(killed.isAlive() && System.currentTimeMillis() < deadline, "the long query was never sent: "
                    + Files.readString(longOut));
            Thread.sleep(50);
        }
        java.time.Duration working = server.cpu().plusSeconds(2);
        while (server.cpu().compareTo(working) < 0) {
            assertTrue(killed.isAlive() && System.currentTimeMillis() < deadline, "the server never worked on the "
                    + "long query: " + Files.readString(longOut));
            Thread.sleep(50);
        }
        long cancelledBefore = cancelled();
        killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long customers = TestSpark.isolated().sql("SELECT * FROM " + LAKE.at(LakeTables.GOLD_DIM_CUSTOMER)).count();
        // twenty clients at once beside it, each its own connection and session (in one JVM: twenty JVMs cost a
        // minute of CPU)
        Path out = Files.createTempFile("clients", ".out");
        ProcessBuilder pb = new ProcessBuilder(probe("SELECT count(*) FROM gold.dim_customer"))
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put(LakehouseConfig.ENV_CONNECT_TOKEN, TOKEN);
        pb.environment().put("PROBE_CLIENTS", "20");
        Process clients = pb.start();
        // the server cancels the query of a client that went away (it would hold both cores for minutes):
        // within a response stream (10 s), the detached timeout (15 s) and a maintenance round (5 s)
        long cancelDeadline = System.currentTimeMillis() + 90_000;
        while (cancelled() == cancelledBefore) {
            assertTrue(System.currentTimeMillis() < cancelDeadline, "the killed client's query was never cancelled: "
                    + Files.readString(log));
            Thread.sleep(200);
        }
        assertTrue(clients.waitFor(300, TimeUnit.SECONDS), "every client is answered: " + Files.readString(out));
        List<String> rows = Files.readAllLines(out).stream().filter(l -> l.startsWith("ROW\t") || l.startsWith("ERROR\t"))
                .toList();
        assertEquals(java.util.Collections.nCopies(20, "ROW\t" + customers), rows);
        assertTrue(server.isAlive(), "the server is still up");
    }

    /** Jobs the server's log says were cancelled. */
    private static long cancelled() throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.contains("SPARK_JOB_CANCELLED")).count();
    }

    @Test
    void aSecondServerOnTheSamePortOrOneWithoutATokenIsOneLineAndExitTwo() throws Exception {
        Path taken = Files.createTempFile("serve-taken", ".log");
        Process second = start(taken, Map.of(LakehouseConfig.ENV_CONNECT_TOKEN, TOKEN), "--config", conf.toString(), "serve");
        assertTrue(second.waitFor(120, TimeUnit.SECONDS));
        assertEquals(2, second.exitValue(), Files.readString(taken));
        assertTrue(Files.readString(taken).contains("cannot serve on 127.0.0.1:" + port), Files.readString(taken));
        Path untokened = Files.createTempFile("serve-token", ".log");
        Process without = start(untokened, Map.of(), "--config", conf.toString(), "serve");
        assertTrue(without.waitFor(120, TimeUnit.SECONDS));
        assertEquals(2, without.exitValue(), Files.readString(untokened));
        assertTrue(Files.readString(untokened).contains("environment variable LAKEHOUSE_CONNECT_TOKEN is not set"),
                Files.readString(untokened));
        for (Path out : List.of(taken, untokened)) {
            assertTrue(!Files.readString(out).contains("Exception") && !Files.readString(out).contains("INFO"),
                    "one line, before Spark starts: " + Files.readString(out));
        }
        assertTrue(!Files.readString(log).contains(TOKEN), "the token is in no log");
    }
}
