package dev.shoplake.stack;

import dev.shoplake.config.LakehouseConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack: PostgreSQL, an FTP server and a Kafka broker on 127.0.0.1, with their data under
 * {@code spark.lakehouse.stack.dir} so it survives restarts. The ports are those the clients are
 * configured with, so the same config reaches the embedded stack and an external one.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    private final LakehouseConfig config;
    private final List<AutoCloseable> running = new ArrayList<>();
    private KafkaBroker kafka;
    private boolean closed;

    /** The stack's servers, each of which can be stopped and started again on its own data (fault tests). */
    public enum Service { POSTGRES, FTP, KAFKA }

    private final java.util.EnumMap<Service, AutoCloseable> services = new java.util.EnumMap<>(Service.class);

    private LocalStack(LakehouseConfig config) {
        this.config = config;
    }

    /** Starts all three and returns once each answers; on any failure, stops what did start. */
    public static LocalStack start(LakehouseConfig config) {
        LocalStack stack = new LocalStack(config);
        Path dir = config.stack().path();
        long started = System.nanoTime();
        try {
            PostgresServer.stopLeftover(dir);
            // every port is checked before anything starts, so a taken one leaves nothing behind
            Ports.requireFree(config.postgres().port(), "PostgreSQL (spark.lakehouse.pg.url)");
            Ports.requireFree(config.ftp().port(), "the FTP server (spark.lakehouse.ftp.port)");
            Ports.requireFree(config.kafka().port(), "the Kafka broker (spark.lakehouse.kafka.bootstrap-servers)");
            Ports.requireFree(config.kafka().port() + 1, "the Kafka controller (the broker's port + 1)");
            // the broker JVM is the slowest to start: launch it first, wait for it last
            stack.kafka = KafkaBroker.start(config.kafka(), dir);
            stack.add(Service.KAFKA, stack.kafka);
            stack.add(Service.POSTGRES, PostgresServer.start(config.postgres(), dir));
            stack.add(Service.FTP, FtpServerProcess.start(config.ftp(), dir, config.stack().ftpTls()));
            stack.kafka.awaitReady(config.kafka(), 120_000);
        } catch (IOException e) {
            stack.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        LOG.info("local stack up in {} ms", (System.nanoTime() - started) / 1_000_000);
        return stack;
    }

    private void add(Service service, AutoCloseable server) {
        services.put(service, server);
        running.add(server);
    }

    /** Stops one server (as a crash or an operator would); its data stays for {@link #start(Service)}. */
    public synchronized void stop(Service service) throws Exception {
        AutoCloseable server = services.remove(service);
        if (server != null) {
            running.remove(server);
            server.close();
        }
    }

    /** Starts a stopped server again on its data and waits until it answers. */
    public synchronized void start(Service service) throws IOException {
        if (services.containsKey(service)) {
            return;
        }
        Path dir = config.stack().path();
        switch (service) {
            case POSTGRES -> add(service, PostgresServer.start(config.postgres(), dir));
            case FTP -> add(service, FtpServerProcess.start(config.ftp(), dir, config.stack().ftpTls()));
            case KAFKA -> {
                kafka = KafkaBroker.start(config.kafka(), dir);
                add(service, kafka);
                kafka.awaitReady(config.kafka(), 120_000);
            }
        }
    }

    /** Where each server answers, for people: no secrets. */
    public List<String> endpoints() {
        var pg = config.postgres();
        var ftp = config.ftp();
        return List.of(
                "PostgreSQL  " + pg.url() + "  user " + pg.user() + "  (password: $" + LakehouseConfig.ENV_PG_PASSWORD + ")",
                "FTP" + (config.stack().ftpTls() ? "S " : "  ") + "       " + (config.stack().ftpTls() ? "ftpes" : "ftp") + "://"
                        + ftp.host() + ":" + ftp.port() + ftp.dir() + "  user " + ftp.user() + "  (password: $"
                        + LakehouseConfig.ENV_FTP_PASSWORD + ")",
                "Kafka       " + config.kafka().bootstrapServers() + "  topics " + config.kafka().topics(),
                "data        " + config.stack().path().toAbsolutePath());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> reversed = new ArrayList<>(running);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
