package dev.shoplake.testing;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.stack.LocalStack;
import dev.shoplake.stack.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real local stack (PostgreSQL, FTP, Kafka on 127.0.0.1, free ports, a temporary directory)
 * for the whole test JVM, stopped when the JVM exits. Each test takes a {@link #freshShop} of its
 * own: a new database, topic prefix and FTP directory on the same servers.
 */
public final class TestStack {
    private static final AtomicInteger SHOPS = new AtomicInteger();
    private static TestStack instance;

    private final Settings settings;
    private final Map<String, String> env;
    private final LocalStack stack;
    private final Path dir;

    private TestStack() throws IOException {
        dir = Files.createTempDirectory("shoplake-stack-");
        env = secrets();
        int kafkaPort = freePair();
        settings = baseSettings(dir, Ports.free(), Ports.free(), kafkaPort);
        stack = LocalStack.start(LakehouseConfig.from(settings, env));
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
    }

    public static synchronized TestStack get() {
        if (instance == null) {
            try {
                instance = new TestStack();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    /** Random passwords, as the environment would give them. */
    public static Map<String, String> secrets() {
        return Map.of(LakehouseConfig.ENV_PG_PASSWORD, "pg-" + UUID.randomUUID(),
                LakehouseConfig.ENV_FTP_PASSWORD, "ftp-" + UUID.randomUUID());
    }

    public static Settings baseSettings(Path stackDir, int pgPort, int ftpPort, int kafkaPort) {
        return Settings.of(Map.of(
                "spark.lakehouse.stack.dir", stackDir.toString(),
                "spark.lakehouse.pg.url", "jdbc:postgresql://127.0.0.1:" + pgPort + "/ecommerce",
                "spark.lakehouse.ftp.port", String.valueOf(ftpPort),
                "spark.lakehouse.kafka.bootstrap-servers", "127.0.0.1:" + kafkaPort,
                "spark.lakehouse.kafka.partitions", "2"));
    }

    /** A port whose successor (the Kafka controller's) is free too. */
    public static int freePair() {
        for (int i = 0; i < 50; i++) {
            int p = Ports.free();
            if (p < 65535 && Ports.answers("127.0.0.1", p + 1) == false) {
                try (var s = new java.net.ServerSocket(p + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
                    return p;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IllegalStateException("no free port pair");
    }

    public Map<String, String> env() {
        return env;
    }

    public Path dir() {
        return dir;
    }

    public LocalStack stack() {
        return stack;
    }

    /** Settings of a new, empty shop: its own database, topic prefix and FTP directory. */
    public Settings freshShopSettings() {
        String name = "shop" + SHOPS.incrementAndGet();
        createDatabase(name, "");
        return shopSettings(name);
    }

    /**
     * Settings of a new shop that starts where {@code shop} stands, for a test that writes: its
     * database a copy of that one's (PostgreSQL's template copy, no other session may be connected to
     * it), its lake and FTP directory copied, its topics new and empty (so the stream's checkpoint
     * is left behind). A test then pays a copy instead of a first batch of its own.
     */
    public Settings copyOfShop(Settings shop) {
        String name = "shop" + SHOPS.incrementAndGet();
        LakehouseConfig from = config(shop);
        createDatabase(name, " TEMPLATE " + from.postgres().database());
        Settings copy = shopSettings(name);
        LakehouseConfig to = config(copy);
        copyTree(Path.of(from.lakeRoot()), Path.of(to.lakeRoot()), Path.of(from.streaming().checkpoint(from.lakeRoot(), "")));
        Path ftp = dir.resolve("ftp");
        copyTree(ftp.resolve(from.ftp().dir().substring(1)), ftp.resolve(to.ftp().dir().substring(1)), null);
        dev.shoplake.source.events.KafkaEventPublisher.ensureTopics(to.kafka()); // for a stream started before any event
        return copy;
    }

    private void createDatabase(String name, String template) {
        LakehouseConfig base = LakehouseConfig.from(settings, env);
        try (Connection c = superuser(base); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name + template + " OWNER " + base.postgres().user());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to, Path skip) {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (skip != null && p.startsWith(skip)) {
                    continue;
                }
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Settings shopSettings(String name) {
        LakehouseConfig base = LakehouseConfig.from(settings, env);
        return settings
                .with("spark.lakehouse.pg.url", "jdbc:postgresql://127.0.0.1:" + base.postgres().port() + "/" + name)
                .with("spark.lakehouse.kafka.topic-prefix", name + ".")
                .with("spark.lakehouse.ftp.dir", "/" + name)
                .with("spark.lakehouse.lake.root", dir.resolve("lake-" + name).toString());
    }

    public LakehouseConfig freshShop() {
        return LakehouseConfig.from(freshShopSettings(), env);
    }

    public LakehouseConfig config(Settings s) {
        return LakehouseConfig.from(s, env);
    }

    /**
     * Simulates {@code days} days of the shop; seeds it first (SF0.01, with {@code seed}, from
     * {@code seedAt}) when {@code seedAt} is not null. The schema is migrated either way.
     */
    public static void simulate(LakehouseConfig config, int days, Instant seedAt, long seed) {
        var db = new dev.shoplake.source.db.ShopDatabase(config.postgres());
        db.migrate();
        try (var events = new dev.shoplake.source.events.KafkaEventPublisher(config.kafka(),
                "sim-" + config.kafka().topicPrefix());
             var sim = new dev.shoplake.source.sim.ShopSimulator(config, db, events)) {
            if (seedAt != null) {
                sim.seed(0.01, seed, seedAt);
            }
            sim.backfill(days, null);
        }
    }

    /** The stack's superuser (trusted on loopback only), for test set-up. */
    public static Connection superuser(LakehouseConfig config) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + config.postgres().port() + "/postgres",
                "postgres", "");
    }
}
