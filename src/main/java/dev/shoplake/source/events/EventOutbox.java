package dev.shoplake.source.events;

import dev.shoplake.source.db.PgCopy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The transactional outbox ({@code outbox.events}): events are written on the caller's connection,
 * inside the caller's transaction, so they exist exactly when the rows they describe do.
 * {@link OutboxRelay} publishes them to Kafka afterwards.
 */
public final class EventOutbox {
    private EventOutbox() {
    }

    /** Adds the events to the outbox in the connection's open transaction (COPY: a backfill writes millions). */
    public static void add(Connection connection, List<ShopEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PgCopy copy = PgCopy.into(connection, "outbox.events",
                List.of("topic", "message_key", "payload", "event_time"))) {
            for (ShopEvent e : events) {
                copy.row(e.topic().name(), e.key(), KafkaEventPublisher.toJson(e), e.timestamp());
            }
            copy.finish();
        }
    }
}
