package dev.shoplake.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.stack.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** 'lakehouse serve' as an operator starts it: its own JVM over a lake, on a free port, with a token. */
public final class LakeServer implements AutoCloseable {
    private final Process process;
    private final Path config;
    private final Path log;
    private final int port;

    private LakeServer(Process process, Path config, Path log, int port) {
        this.process = process;
        this.config = config;
        this.log = log;
        this.port = port;
    }

    private static LakeServer small;
    private static String smallToken;

    /**
     * One server over the {@link SmallLake} for the whole test JVM (its clients, the SQL CLI and the
     * notebooks, only read), stopped with SIGTERM when the JVM exits.
     */
    public static synchronized LakeServer small() throws Exception {
        if (small == null) {
            smallToken = "token-" + java.util.UUID.randomUUID();
            small = start(SmallLake.get().settings(), smallToken);
            LakeServer server = small;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.process.destroy()));
        }
        return small;
    }

    /** The token {@link #small()} was started with. */
    public static synchronized String smallToken() throws Exception {
        small();
        return smallToken;
    }

    /** The server JVM's CPU time so far: it grows while the server works on a query. */
    public java.time.Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
    }

    /** Starts serving {@code settings}' lake and waits until it says it serves. */
    public static LakeServer start(Settings settings, String token) throws Exception {
        int port = Ports.free();
        Path config = TestJvm.configFile(settings.with("spark.lakehouse.serve.port", String.valueOf(port)),
                Files.createTempFile("serve", ".properties"));
        Path log = Files.createTempFile("serve", ".log");
        Process process = start(log, Map.of(LakehouseConfig.ENV_CONNECT_TOKEN, token), "--config", config.toString(), "serve");
        long deadline = System.currentTimeMillis() + 240_000;
        while (!Files.readString(log).contains("serving the lake over Spark Connect at sc://127.0.0.1:" + port)) {
            assertTrue(process.isAlive(), "the server runs: " + Files.readString(log));
            assertTrue(System.currentTimeMillis() < deadline, "the server is up within 4 minutes");
            Thread.sleep(250);
        }
        return new LakeServer(process, config, log, port);
    }

    /** The CLI in a JVM of its own, its output in {@code out}, this environment on top of the stack's. */
    public static Process start(Path out, Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(TestJvm.lakehouse("2g", args)).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().putAll(TestStack.get().env());
        pb.environment().remove(LakehouseConfig.ENV_CONNECT_TOKEN);
        pb.environment().putAll(env);
        return pb.start();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "sc://127.0.0.1:" + port;
    }

    /** The settings file the server was started with (its port included). */
    public Path config() {
        return config;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM: the shutdown hook stops the server
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server stops on SIGTERM");
    }
}
