package dev.shoplake.source.events;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.source.db.ShopDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the outbox's pending events to Kafka, in the order they were written, a chunk per
 * Kafka transaction, then marks the chunk sent in PostgreSQL.
 *
 * <ul>
 *   <li>At least once: a crash after the Kafka commit and before the mark sends the chunk again;
 *   the stream keeps each {@code event_id} once, so gold holds every event exactly once.</li>
 *   <li>A broker that is down or slow leaves every event pending: the next drain (the simulator's
 *   next tick, {@code lakehouse relay}) sends them.</li>
 *   <li>A record the broker refuses for good (a timestamp too far ahead of its clock, a record too
 *   large) is marked with the broker's reason in {@code refused_reason} and skipped: never retried
 *   forever, never dropped without a trace.</li>
 *   <li>One relay drains an outbox at a time (a PostgreSQL advisory lock); a second relay's
 *   producer with the same transactional id fences a first one that hangs.</li>
 * </ul>
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final long RELAY_LOCK = 0x5ED0_5EED_0002L;
    /** Sent rows are kept this long, to compare what the shop did with what the lake holds, then deleted. */
    static final int KEEP_DAYS = 7;

    private final ShopDatabase database;
    private final Supplier<EventPublisher> publishers;
    private final boolean ownsPublisher;
    private final int chunk;
    private final String target;
    private EventPublisher publisher;
    private Connection connection;
    private boolean purged;

    /** What one drain did; {@code pending} is what is left (0 unless another relay held the lock). */
    public record Drained(long sent, long refused, long pending) {
    }

    private OutboxRelay(ShopDatabase database, Supplier<EventPublisher> publishers, boolean ownsPublisher, int chunk,
                        String target) {
        this.database = database;
        this.publishers = publishers;
        this.ownsPublisher = ownsPublisher;
        this.chunk = chunk;
        this.target = target;
    }

    /** The relay of the configured shop: its producer opened when there is something to send. */
    public static OutboxRelay open(LakehouseConfig config) {
        return new OutboxRelay(new ShopDatabase(config.postgres()),
                () -> new KafkaEventPublisher(config.kafka(), transactionalId(config.kafka())), true,
                config.kafka().relayChunk(), config.kafka().bootstrapServers());
    }

    /** A relay sending through the caller's publisher (which the caller closes). */
    public static OutboxRelay through(ShopDatabase database, EventPublisher publisher, LakehouseConfig.Kafka kafka) {
        return new OutboxRelay(database, () -> publisher, false, kafka.relayChunk(), kafka.bootstrapServers());
    }

    /** One id per shop's topics: a second relay of the same outbox fences the first. */
    public static String transactionalId(LakehouseConfig.Kafka kafka) {
        return "shoplake-relay-" + kafka.topicPrefix();
    }

    /**
     * Sends every pending event. Throws {@link UnreachableException} (one line) when Kafka does not take
     * them; they stay pending.
     */
    public synchronized Drained drain() {
        Connection c = connection();
        try {
            if (!advisoryLock(c, "pg_try_advisory_lock")) {
                return new Drained(0, 0, pendingCount(c));
            }
            try {
                purgeOldOnce(c);
                long sent = 0;
                long refused = 0;
                List<Pending> rows;
                while (!(rows = pending(c)).isEmpty()) {
                    Map<Long, String> refusedNow = publish(rows);
                    if (refusedNow.isEmpty()) {
                        mark(c, "UPDATE outbox.events SET published_at = now() WHERE id = ANY(?)", ids(rows), null);
                        sent += rows.size();
                    } else {
                        for (Map.Entry<Long, String> r : refusedNow.entrySet()) {
                            mark(c, "UPDATE outbox.events SET refused_reason = ? WHERE id = ANY(?)", List.of(r.getKey()),
                                    r.getValue());
                            LOG.warn("outbox event {} refused by Kafka, kept in outbox.events with its reason: {}",
                                    r.getKey(), r.getValue());
                        }
                        refused += refusedNow.size(); // the rest of the chunk goes again, without them
                    }
                }
                return new Drained(sent, refused, 0);
            } finally {
                advisoryLock(c, "pg_advisory_unlock");
            }
        } catch (SQLException e) {
            closeConnection();
            throw new UnreachableException("the outbox relay lost PostgreSQL at " + database.config().url() + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    /** Events written and not sent yet (nor refused). */
    public synchronized long pending() {
        try {
            return pendingCount(connection());
        } catch (SQLException e) {
            closeConnection();
            throw new UnreachableException("cannot read the outbox at " + database.config().url() + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    private record Pending(long id, EventTopic topic, String key, Instant time, String payload) {
    }

    private List<Pending> pending(Connection c) throws SQLException {
        List<Pending> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("""
                SELECT id, topic, message_key, event_time, payload FROM outbox.events
                WHERE published_at IS NULL AND refused_reason IS NULL ORDER BY id LIMIT ?""")) {
            st.setInt(1, chunk);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Pending(rs.getLong(1), EventTopic.valueOf(rs.getString(2)), rs.getString(3),
                            rs.getTimestamp(4).toInstant(), rs.getString(5)));
                }
            }
        }
        return rows;
    }

    /** One Kafka transaction for the chunk; returns the rows the broker refused for good (then nothing is visible). */
    private Map<Long, String> publish(List<Pending> rows) {
        EventPublisher p;
        try {
            p = publisher();
        } catch (RuntimeException e) {
            throw waiting(e);
        }
        List<Future<?>> sent = new ArrayList<>(rows.size());
        try {
            p.begin();
            for (Pending r : rows) {
                sent.add(p.send(r.topic(), r.key(), r.time(), r.payload()));
            }
            p.commit();
            return Map.of();
        } catch (RuntimeException e) {
            Map<Long, String> refused = new LinkedHashMap<>();
            for (int i = 0; i < sent.size(); i++) {
                Throwable cause = failure(sent.get(i));
                if (refusedForGood(cause)) {
                    refused.put(rows.get(i).id(), cause.getClass().getSimpleName() + ": " + cause.getMessage());
                }
            }
            abortQuietly(p, e);
            if (refused.isEmpty()) {
                throw waiting(e);
            }
            return refused;
        }
    }

    private UnreachableException waiting(RuntimeException e) {
        return new UnreachableException(pendingCountQuietly() + " event(s) wait in the outbox: Kafka at " + target
                + " did not take them (" + firstLine(String.valueOf(e.getMessage())) + "); 'lakehouse relay' sends "
                + "them when it is back", e);
    }

    private static boolean refusedForGood(Throwable cause) {
        return cause instanceof InvalidTimestampException || cause instanceof RecordTooLargeException
                || cause instanceof RecordBatchTooLargeException || cause instanceof InvalidRecordException;
    }

    private static Throwable failure(Future<?> f) {
        if (!f.isDone()) {
            return null;
        }
        try {
            f.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void abortQuietly(EventPublisher p, RuntimeException cause) {
        try {
            p.abort();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
        if (ownsPublisher) {
            publisher = null; // a producer that failed is opened again for the next drain
            try {
                p.close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    private EventPublisher publisher() {
        if (publisher == null) {
            publisher = publishers.get();
        }
        return publisher;
    }

    private Connection connection() {
        if (connection == null) {
            connection = database.connect(); // autocommit: each mark is its own transaction
        }
        return connection;
    }

    private boolean advisoryLock(Connection c, String function) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + function + "(" + RELAY_LOCK + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private void purgeOldOnce(Connection c) throws SQLException {
        if (!purged) {
            try (Statement st = c.createStatement()) {
                int n = st.executeUpdate("DELETE FROM outbox.events WHERE published_at < now() - interval '" + KEEP_DAYS
                        + " days'");
                if (n > 0) {
                    LOG.info("outbox: deleted {} event(s) sent more than {} days ago", n, KEEP_DAYS);
                }
            }
            purged = true;
        }
    }

    private static void mark(Connection c, String sql, List<Long> ids, String reason) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            int i = 1;
            if (reason != null) {
                st.setString(i++, reason);
            }
            st.setArray(i, c.createArrayOf("bigint", ids.toArray()));
            st.executeUpdate();
        }
    }

    private static List<Long> ids(List<Pending> rows) {
        return rows.stream().map(Pending::id).toList();
    }

    private static long pendingCount(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM outbox.events WHERE published_at IS NULL AND refused_reason IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String pendingCountQuietly() {
        try {
            return String.format("%,d", pendingCount(connection()));
        } catch (SQLException | RuntimeException e) {
            return "the";
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").trim();
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // gone already
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        if (ownsPublisher && publisher != null) {
            publisher.close();
            publisher = null;
        }
        closeConnection();
    }
}
