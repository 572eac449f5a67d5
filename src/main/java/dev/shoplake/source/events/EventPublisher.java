package dev.shoplake.source.events;

import java.util.List;

/**
 * Where the simulator's events go. Events of one database transaction are sent between
 * {@link #begin()} and {@link #commit()}; the caller commits the database in between, so that a
 * failed database write aborts its events and consumers reading committed data never see events
 * of changes that did not happen.
 */
public interface EventPublisher extends AutoCloseable {
    void begin();

    void send(List<ShopEvent> events);

    /** Makes everything sent since {@link #begin()} visible. */
    void commit();

    void abort();

    @Override
    void close();
}
