package dev.shoplake.streaming;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * How late the stream is, said once a minute: of the events committed in the last minute, the
 * median and 95th percentile of their age at commit (commit time minus the event's own time). A
 * quiet minute says nothing.
 */
public final class EventAgeLog implements LiveListener, AutoCloseable {
    private static final long MINUTE_MS = 60_000;

    private record Committed(long atMs, long[] agesMs) {
    }

    private final Deque<Committed> lastMinute = new ArrayDeque<>();
    private final Consumer<String> say;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stream-event-age");
        t.setDaemon(true);
        return t;
    });

    private EventAgeLog(Consumer<String> say) {
        this.say = say;
    }

    /** Says the last minute's figures through {@code say} every minute, until closed. */
    public static EventAgeLog everyMinute(Consumer<String> say) {
        EventAgeLog log = new EventAgeLog(say);
        log.clock.scheduleAtFixedRate(() -> log.summary(System.currentTimeMillis()).ifPresent(say), MINUTE_MS,
                MINUTE_MS, TimeUnit.MILLISECONDS);
        return log;
    }

    @Override
    public synchronized void onBatch(Batch batch) {
        lastMinute.addLast(new Committed(batch.committedAt().toEpochMilli(), batch.eventAgesMs()));
    }

    /** The line for the minute before {@code nowMs}; empty when no event was committed in it. */
    synchronized java.util.Optional<String> summary(long nowMs) {
        while (!lastMinute.isEmpty() && lastMinute.peekFirst().atMs() < nowMs - MINUTE_MS) {
            lastMinute.removeFirst();
        }
        long[] ages = lastMinute.stream().flatMapToLong(c -> Arrays.stream(c.agesMs())).sorted().toArray();
        if (ages.length == 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format("stream: %,d events in the last minute, event to gold p50 %.1f s, "
                + "p95 %.1f s", ages.length, at(ages, 0.50) / 1e3, at(ages, 0.95) / 1e3));
    }

    private static long at(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
    }

    @Override
    public void close() {
        clock.shutdownNow();
    }
}
