package dev.shoplake.stack;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky's embedded binaries) on 127.0.0.1 with its data under the stack
 * directory, so it survives restarts. The application role logs in with a password (scram); only
 * the local superuser, used to create that role, is trusted.
 */
final class PostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static PostgresServer start(LakehouseConfig.Postgres config, Path dir) throws IOException {
        Path data = dir.resolve("postgres");
        stopLeftover(dir);
        Ports.requireFree(config.port(), "PostgreSQL (spark.lakehouse.pg.url)");
        Files.createDirectories(dir);
        Path log = dir.resolve("postgres.log");
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setPort(config.port())
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "100")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_wal_size", "4GB")
                .setServerConfig("checkpoint_timeout", "15min")
                .setPGStartupWait(Duration.ofSeconds(60))
                .setOutputRedirector(Redirect.appendTo(log.toFile()))
                .setErrorRedirector(Redirect.appendTo(log.toFile()))
                .start();
        PostgresServer server = new PostgresServer(pg);
        try {
            server.provision(config, data);
        } catch (SQLException | IOException | RuntimeException e) {
            server.close();
            throw new UnreachableException("PostgreSQL started but could not be set up (" + log + "): " + e.getMessage(), e);
        }
        return server;
    }

    /** A postmaster left by a killed stack would hold the port and the data directory: stop it first. */
    static void stopLeftover(Path stackDir) throws IOException {
        Path pidFile = stackDir.resolve("postgres").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        Optional<ProcessHandle> leftover = ProcessHandle.of(pid)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (leftover.isPresent()) {
            LOG.warn("stopping PostgreSQL left running by an earlier stack (pid {})", pid);
            leftover.get().destroy();
            leftover.get().onExit().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
        }
    }

    private void provision(LakehouseConfig.Postgres config, Path data) throws SQLException, IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            String role = quoteIdent(config.user());
            String password = "'" + config.requirePassword().replace("'", "''") + "'";
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                ps.setString(1, config.user());
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            st.execute("SET password_encryption = 'scram-sha-256'");
            // the password follows the environment, so changing LAKEHOUSE_PG_PASSWORD takes effect on restart
            st.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + role + " LOGIN PASSWORD " + password);
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, config.database());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        st.execute("CREATE DATABASE " + quoteIdent(config.database()) + " OWNER " + role);
                    }
                }
            }
            Files.writeString(data.resolve("pg_hba.conf"), """
                    # written by shoplake's local stack: the superuser is trusted on loopback (it provisions
                    # the stack); every other role needs its password
                    local all postgres trust
                    host  all postgres 127.0.0.1/32 trust
                    host  all postgres ::1/128 trust
                    host  all all 127.0.0.1/32 scram-sha-256
                    host  all all ::1/128 scram-sha-256
                    """);
            st.execute("SELECT pg_reload_conf()");
        }
    }

    private static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    int port() {
        return postgres.getPort();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
