package dev.shoplake.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one immutable configuration of every job and tool, read from {@code spark.lakehouse.*}
 * settings plus secrets from the environment. Secrets never come from a file or a flag, and no
 * {@code toString} here prints them.
 */
public record LakehouseConfig(
        String lakeRoot,
        Postgres postgres,
        Ftp ftp,
        Kafka kafka,
        Simulator simulator,
        Stack stack,
        int batchParallelTables,
        Streaming streaming,
        java.time.Duration waitingAlarmAfter,
        boolean dataTestsAfterBatch,
        Serve serve) {

    public static final String ENV_PG_PASSWORD = "LAKEHOUSE_PG_PASSWORD";
    public static final String ENV_FTP_PASSWORD = "LAKEHOUSE_FTP_PASSWORD";
    public static final String ENV_CONNECT_TOKEN = "LAKEHOUSE_CONNECT_TOKEN";

    public static LakehouseConfig from(Settings s, Map<String, String> env) {
        String p = Settings.PREFIX;
        Postgres pg = new Postgres(
                s.string(p + "pg.url", "jdbc:postgresql://127.0.0.1:54329/ecommerce"),
                s.string(p + "pg.user", "shop"),
                secret(env, ENV_PG_PASSWORD),
                s.integer(p + "pg.read-partitions", 2, 1, 10_000),
                s.integer(p + "pg.fetch-size", 10_000, 1, 1_000_000));
        if (!pg.url().startsWith("jdbc:postgresql://")) {
            throw new ConfigException("setting " + p + "pg.url=" + pg.url() + " must start with jdbc:postgresql://");
        }
        Ftp ftp = new Ftp(
                s.string(p + "ftp.host", "127.0.0.1"),
                s.integer(p + "ftp.port", 2121, 1, 65535),
                s.string(p + "ftp.user", "support"),
                secret(env, ENV_FTP_PASSWORD),
                s.string(p + "ftp.dir", "/reports"),
                s.bool(p + "ftp.tls", false),
                s.string(p + "ftp.truststore", ""),
                s.integer(p + "ftp.timeout-ms", 10_000, 100, 600_000));
        Kafka kafka = new Kafka(
                s.string(p + "kafka.bootstrap-servers", "127.0.0.1:19092"),
                s.string(p + "kafka.topic-prefix", "shop."),
                s.integer(p + "kafka.partitions", 3, 1, 1000),
                s.integer(p + "kafka.relay-chunk", 5000, 1, 1_000_000));
        Simulator sim = new Simulator(
                s.longValue(p + "sim.seed", 42L),
                s.decimal(p + "sim.scale-factor", 0.01, 0.0001, 100),
                s.integer(p + "sim.tick-seconds", 5, 1, 86_400),
                s.integer(p + "sim.ticks-per-day", 0, 0, 86_400),
                s.integer(p + "sim.max-customers-per-tick", 50, 1, 1_000_000),
                s.decimal(p + "sim.remove-probability", 0.10, 0, 1),
                s.decimal(p + "sim.checkout-probability", 0.30, 0, 1),
                s.decimal(p + "sim.payment-failure-probability", 0.35, 0, 1),
                s.integer(p + "sim.purge-every-days", 25, 1, 10_000),
                s.bool(p + "sim.website-events", true),
                s.decimal(p + "sim.speed", 1.0, 0.01, 1_000_000));
        Stack stack = new Stack(
                s.string(p + "stack.dir", ".stack"),
                s.bool(p + "stack.ftp-tls", false));
        return new LakehouseConfig(lakeRoot(s.string(p + "lake.root", "lake")), pg, ftp, kafka, sim, stack,
                s.integer(p + "batch.parallel-tables", 4, 1, 64),
                new Streaming(
                        s.string(p + "stream.checkpoint-root", ""),
                        s.string(p + "stream.trigger-interval", "1 second"),
                        s.longValue(p + "stream.max-offsets-per-trigger", 200_000L),
                        s.integer(p + "stream.stock-alert-below", 20, 0, Integer.MAX_VALUE),
                        s.string(p + "stream.starting-offsets", "earliest"),
                        interval(s, p + "stream.future-tolerance", "5 minutes"),
                        instant(s, p + "stream.earliest-event-time", "2020-01-01T00:00:00Z"),
                        s.integer(p + "stream.shuffle-partitions", 0, 0, 100_000),
                        1000L * s.integer(p + "stream.stock-current-every-seconds", 10, 0, 86_400)),
                // a fact waiting this long for its dimension raises an alarm (ops.WaitingFacts)
                java.time.Duration.ofHours(s.integer(p + "ops.waiting-alarm-after-hours", 24, 1, 24 * 365)),
                // the data tests of the tables a batch wrote (ops.DataTests); off, 'lakehouse test' still runs them
                s.bool(p + "ops.data-tests-after-batch", true),
                new Serve(s.string(p + "serve.host", "127.0.0.1"), s.integer(p + "serve.port", 15002, 0, 65535),
                        secret(env, ENV_CONNECT_TOKEN)));
    }

    /**
     * The streaming job. Checkpoints live under the lake ({@code <lake>/_checkpoints/<query>}) unless
     * {@code checkpointRoot} says otherwise; {@code triggerInterval} is how often a micro-batch
     * starts (one second: the live dashboard follows the commits); {@code maxOffsetsPerTrigger} is
     * the back-pressure limit per micro-batch; {@code shufflePartitions} the partitions of the
     * stream's shuffles (0: the cluster's default parallelism); {@code stockCurrentEveryMs} how
     * often gold.stock_current catches up with the stock facts (every micro-batch when catching up).
     */
    public record Streaming(String checkpointRoot, String triggerInterval, long maxOffsetsPerTrigger,
                            int stockAlertBelow, String startingOffsets, String futureTolerance,
                            java.time.Instant earliestEventTime, int shufflePartitions, long stockCurrentEveryMs) {
        public String checkpoint(String lakeRoot, String query) {
            String root = checkpointRoot.isBlank() ? lakeRoot + "/_checkpoints" : checkpointRoot;
            return (root.endsWith("/") ? root : root + "/") + query;
        }
    }

    /** An interval as Spark SQL writes it after INTERVAL: a number and a unit, e.g. "5 minutes". */
    private static String interval(Settings s, String key, String fallback) {
        String v = s.string(key, fallback).trim();
        if (!v.matches("\\d+ (second|minute|hour|day)s?")) {
            throw new ConfigException("setting " + key + "=" + v + " must be a number and a unit, e.g. 5 minutes");
        }
        return v;
    }

    private static java.time.Instant instant(Settings s, String key, String fallback) {
        String v = s.string(key, fallback).trim();
        try {
            return java.time.Instant.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConfigException("setting " + key + "=" + v + " must be an instant, e.g. 2020-01-01T00:00:00Z");
        }
    }

    /** A URI (s3a://, hdfs://, file:/...) stays as given; a bare local path is made absolute. */
    static String lakeRoot(String root) {
        if (root.contains(":/")) {
            return root;
        }
        return Path.of(root).toAbsolutePath().normalize().toString();
    }

    private static String secret(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null ? "" : v;
    }

    /** Operational PostgreSQL; {@code readPartitions}/{@code fetchSize} shape the JDBC reads. */
    public record Postgres(String url, String user, String password, int readPartitions, int fetchSize) {
        public String requirePassword() {
            if (password.isEmpty()) {
                throw new ConfigException("environment variable " + ENV_PG_PASSWORD + " is not set (the password of "
                        + user + " at " + url + ")");
            }
            return password;
        }

        public String host() {
            return URI.create(url.substring("jdbc:".length())).getHost();
        }

        public int port() {
            int port = URI.create(url.substring("jdbc:".length())).getPort();
            return port < 0 ? 5432 : port;
        }

        public String database() {
            String path = URI.create(url.substring("jdbc:".length())).getPath();
            return path.startsWith("/") ? path.substring(1) : path;
        }

        @Override
        public String toString() {
            return "Postgres[url=" + url + ", user=" + user + ", password=***]";
        }
    }

    /** The FTP server of the daily support report; {@code tls} means explicit FTPS with a protected data channel. */
    public record Ftp(String host, int port, String user, String password, String dir, boolean tls,
                      String truststore, int timeoutMillis) {
        public String requirePassword() {
            if (password.isEmpty()) {
                throw new ConfigException("environment variable " + ENV_FTP_PASSWORD + " is not set (the password of "
                        + user + " at ftp://" + host + ":" + port + ")");
            }
            return password;
        }

        @Override
        public String toString() {
            return "Ftp[" + (tls ? "ftpes" : "ftp") + "://" + user + "@" + host + ":" + port + dir + ", password=***]";
        }
    }

    /**
     * {@code lakehouse serve}: the Spark Connect server's address and the pre-shared token every
     * client must present (from the environment only).
     */
    public record Serve(String host, int port, String token) {
        public String requireToken() {
            if (token.isEmpty()) {
                throw new ConfigException("environment variable " + ENV_CONNECT_TOKEN + " is not set (the token every "
                        + "Spark Connect client must present; bin/lakehouse keeps one in .stack/secrets.env)");
            }
            return token;
        }

        /** The address a client connects to, without the token. */
        public String url() {
            return "sc://" + host + ":" + port;
        }

        @Override
        public String toString() {
            return "Serve[" + url() + ", token=***]";
        }
    }

    /** The broker and topics; {@code relayChunk} is the outbox rows the relay sends per Kafka transaction. */
    public record Kafka(String bootstrapServers, String topicPrefix, int partitions, int relayChunk) {
        public String storeTopic() {
            return topicPrefix + "store";
        }

        public String checkoutTopic() {
            return topicPrefix + "checkout";
        }

        public String stockTopic() {
            return topicPrefix + "stock";
        }

        public String websiteTopic() {
            return topicPrefix + "website";
        }

        public java.util.List<String> topics() {
            return java.util.List.of(storeTopic(), checkoutTopic(), stockTopic(), websiteTopic());
        }

        public String host() {
            String first = bootstrapServers.split(",")[0].trim();
            return first.substring(0, first.lastIndexOf(':'));
        }

        public int port() {
            String first = bootstrapServers.split(",")[0].trim();
            try {
                return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
            } catch (RuntimeException e) {
                throw new ConfigException("setting spark.lakehouse.kafka.bootstrap-servers=" + bootstrapServers
                        + " is not host:port");
            }
        }
    }

    /**
     * The shop simulator. {@code ticksPerDay} is how busy a day is, in the generator's ticks (0:
     * derive from the scale factor, about 83 a day at SF1, i.e. about a million orders a year),
     * whether the day is backfilled or lived; {@code tickSeconds} is how often live mode commits;
     * {@code speed} multiplies live traffic (a demo that wants more than a real shop's pace).
     */
    public record Simulator(long seed, double scaleFactor, int tickSeconds, int ticksPerDay,
                            int maxCustomersPerTick, double removeProbability, double checkoutProbability,
                            double paymentFailureProbability, int purgeEveryDays, boolean websiteEvents,
                            double speed) {
        public int effectiveTicksPerDay() {
            return ticksPerDay > 0 ? ticksPerDay : (int) Math.max(1, Math.round(83 * scaleFactor));
        }
    }

    /** The embedded local stack: where its servers keep their data, and whether FTP speaks TLS. */
    public record Stack(String dir, boolean ftpTls) {
        public Path path() {
            return Path.of(dir);
        }
    }
}
