package dev.shoplake.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.testing.TestStack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack as a user runs it, in its own JVM: 'lakehouse stack start', a kill -9, a restart that
 * finds its data, 'lakehouse stack stop', and no process or port left behind.
 */
@Tag("integration")
class StackLifecycleIT {
    @TempDir
    Path dir;

    private final Map<String, String> env = TestStack.secrets();

    @Test
    void startKillRestartStopLeavesNoOrphansAndKeepsTheData() throws Exception {
        Path stackDir = dir.resolve("stack");
        int kafkaPort = TestStack.freePair();
        Path conf = writeConfig(Ports.free(), Ports.free(), kafkaPort, stackDir);
        LakehouseConfig config = LakehouseConfig.from(dev.shoplake.config.Settings.load(conf, List.of()), env);

        Process first = lakehouse(conf, "stack", "start");
        awaitLine(first, "local stack is up");
        long firstBroker = brokerPid(first);
        long firstPostgres = postgresPid(stackDir);
        try (Connection c = connect(config); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE survives_restarts (id int)");
            st.execute("INSERT INTO survives_restarts VALUES (42)");
        }

        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9: no shutdown hook runs
        awaitGone(firstBroker, "the broker follows its killed parent");

        Process second = lakehouse(conf, "stack", "start");
        awaitLine(second, "local stack is up");
        assertFalse(ProcessHandle.of(firstPostgres).map(ProcessHandle::isAlive).orElse(false),
                "the restart stopped the PostgreSQL the killed stack left");
        try (Connection c = connect(config); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT id FROM survives_restarts")) {
            assertTrue(rs.next());
            assertEquals(42, rs.getInt(1), "data survives a restart");
        }
        long secondBroker = brokerPid(second);
        long secondPostgres = postgresPid(stackDir);

        Process stop = lakehouse(conf, "stack", "stop");
        awaitLine(stop, "local stack stopped");
        assertTrue(stop.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, stop.exitValue());
        assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the stack process ends");
        for (long pid : List.of(secondBroker, secondPostgres)) {
            awaitGone(pid, "no orphan process");
        }
        for (int port : List.of(config.postgres().port(), config.ftp().port(), kafkaPort, kafkaPort + 1)) {
            Ports.requireFree(port, "port " + port);
        }
    }

    @Test
    void aTakenPortIsReportedInOneLineAndNothingIsLeftRunning() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int kafkaPort = TestStack.freePair();
            Path conf = writeConfig(Ports.free(), taken.getLocalPort(), kafkaPort, dir.resolve("stack"));
            Process p = lakehouse(conf, "stack", "start");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "reported, not hung on");
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, p.exitValue());
            assertEquals(List.of("error: port " + taken.getLocalPort() + " on 127.0.0.1 is already in use, so the FTP "
                    + "server (spark.lakehouse.ftp.port) cannot start there (change the setting or stop whatever holds it)"),
                    err.lines().filter(l -> !l.startsWith("WARNING")).toList());
            Ports.requireFree(kafkaPort, "the broker never started");
        }
    }

    @Test
    void anUnreachableDatabaseIsOneClearErrorLine() throws Exception {
        int closedPort = Ports.free();
        Path conf = writeConfig(closedPort, Ports.free(), TestStack.freePair(), dir.resolve("stack"));
        Process p = lakehouse(conf, "status");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue());
        List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("error: cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:"
                + closedPort + "/ecommerce as shop (spark.lakehouse.pg.url): "), lines.get(0));
        assertFalse(err.contains(env.get(LakehouseConfig.ENV_PG_PASSWORD)), "the password is never printed");
    }

    private Path writeConfig(int pgPort, int ftpPort, int kafkaPort, Path stackDir) throws IOException {
        Path conf = dir.resolve("stack-" + pgPort + ".properties");
        Files.writeString(conf, String.join("\n",
                "spark.lakehouse.stack.dir=" + stackDir,
                "spark.lakehouse.pg.url=jdbc:postgresql://127.0.0.1:" + pgPort + "/ecommerce",
                "spark.lakehouse.ftp.port=" + ftpPort,
                "spark.lakehouse.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort, ""));
        return conf;
    }

    private Process lakehouse(Path conf, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+IgnoreUnrecognizedVMOptions", "-Xmx512m",
                "-D" + "shoplake.kafka.classpath.file=" + System.getProperty("shoplake.kafka.classpath.file"),
                "-cp", System.getProperty("java.class.path"), "dev.shoplake.cli.Lakehouse", "--config", conf.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void awaitLine(Process p, String expected) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line; (line = out.readLine()) != null; ) {
            seen.add(line);
            if (line.contains(expected)) {
                return;
            }
        }
        throw new AssertionError("'" + expected + "' never printed; got " + seen + " and stderr "
                + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static long brokerPid(Process stack) {
        return stack.descendants()
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(BrokerMain.class.getName()))
                        .orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no broker process under the stack")).pid();
    }

    private static long postgresPid(Path stackDir) throws IOException {
        return Long.parseLong(Files.readAllLines(stackDir.resolve("postgres").resolve("postmaster.pid")).get(0).trim());
    }

    private static void awaitGone(long pid, String why) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(why + ": pid " + pid + " is still alive");
            }
            Thread.sleep(200);
        }
    }

    private Connection connect(LakehouseConfig config) throws Exception {
        return DriverManager.getConnection(config.postgres().url(), config.postgres().user(),
                config.postgres().requirePassword());
    }
}
