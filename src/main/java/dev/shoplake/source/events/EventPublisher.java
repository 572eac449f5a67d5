package dev.shoplake.source.events;

import java.time.Instant;
import java.util.concurrent.Future;

/**
 * Where the outbox relay sends events: messages sent between {@link #begin()} and {@link #commit()}
 * become visible together, or not at all, to consumers reading committed data.
 */
public interface EventPublisher extends AutoCloseable {
    void begin();

    /** Sends one message; the future fails when the broker refuses it (the transaction then cannot commit). */
    Future<?> send(EventTopic topic, String key, Instant timestamp, String value);

    /** Makes everything sent since {@link #begin()} visible. */
    void commit();

    void abort();

    @Override
    void close();
}
