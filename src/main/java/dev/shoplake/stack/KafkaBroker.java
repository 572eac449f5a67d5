package dev.shoplake.stack;

import dev.shoplake.config.ConfigException;
import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one) in its own JVM with its own
 * classpath ({@code target/kafka-broker.classpath}), so Kafka's Scala and Jackson never meet
 * Spark's. Its log directory is under the stack directory and formatted once.
 */
final class KafkaBroker implements AutoCloseable {
    static final String CLASSPATH_FILE_PROPERTY = "shoplake.kafka.classpath.file";

    private final Process process;
    private final Path log;

    private KafkaBroker(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the broker JVM; {@link #awaitReady} waits for it to answer. */
    static KafkaBroker start(LakehouseConfig.Kafka config, Path dir) throws IOException {
        int port = config.port();
        int controllerPort = port + 1;
        Ports.requireFree(port, "the Kafka broker (spark.lakehouse.kafka.bootstrap-servers)");
        Ports.requireFree(controllerPort, "the Kafka controller (the broker's port + 1)");
        Path home = dir.resolve("kafka");
        Path data = home.resolve("data");
        Files.createDirectories(home);
        Path properties = home.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + data.toAbsolutePath(),
                "num.partitions=" + config.partitions(),
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // a local shop keeps its whole history, so a stream can always be replayed from the start
                "log.retention.ms=-1",
                "") );
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = ownClasses() + java.io.File.pathSeparator + brokerClasspath();
        Path log = home.resolve("broker.log");
        if (!Files.exists(data.resolve("meta.properties"))) {
            Process format = new ProcessBuilder(javaBin, "-cp", classpath, "kafka.tools.StorageTool", "format",
                    "--standalone", "--cluster-id=" + clusterId(), "-c", properties.toString()) // an id may start with '-'
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            try {
                if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                    throw new UnreachableException("formatting Kafka's log directory failed; see " + log);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        List<String> command = new ArrayList<>(List.of(javaBin, "-Xms256m", "-Xmx768m", "-XX:+UseG1GC",
                "-Dorg.apache.logging.log4j.level=WARN", "-cp", classpath, BrokerMain.class.getName(),
                String.valueOf(ProcessHandle.current().pid()), properties.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new KafkaBroker(process, log);
    }

    void awaitReady(LakehouseConfig.Kafka config, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new UnreachableException("the Kafka broker exited with code " + process.exitValue() + "; see " + log);
            }
            if (Ports.answers(config.host(), config.port())) {
                try (Admin admin = Admin.create(props)) {
                    admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    // not ready yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            sleep(200);
        }
        throw new UnreachableException("the Kafka broker did not answer on " + config.bootstrapServers() + " within "
                + timeoutMillis / 1000 + " s; see " + log);
    }

    private static String ownClasses() {
        try {
            return Path.of(BrokerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String brokerClasspath() throws IOException {
        Path file = Path.of(System.getProperty(CLASSPATH_FILE_PROPERTY, "target/kafka-broker.classpath"));
        if (!Files.isReadable(file)) {
            throw new ConfigException("the Kafka broker's classpath file " + file + " is missing: build with 'mvn package' "
                    + "(or set -D" + CLASSPATH_FILE_PROPERTY + ")");
        }
        return Files.readString(file).trim();
    }

    /** Kafka's cluster id format: 16 random bytes, URL-safe base64 without padding. */
    private static String clusterId() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM: Kafka's shutdown hook closes the logs cleanly
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
