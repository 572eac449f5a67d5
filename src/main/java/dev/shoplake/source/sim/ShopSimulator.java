package dev.shoplake.source.sim;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.StateException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.events.EventOutbox;
import dev.shoplake.source.events.EventPublisher;
import dev.shoplake.source.events.OutboxRelay;
import dev.shoplake.source.events.ShopEvent;
import dev.shoplake.source.report.SupportReportPublisher;
import dev.shoplake.source.seed.ShopSeeder;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shop simulator: seeds the database, then runs the generator's rules either as a
 * <b>backfill</b> (N simulated days, as fast as PostgreSQL takes them, one transaction a day) or
 * <b>live</b> (a tick every few seconds of real time, one transaction a tick). Every change's
 * events are written to the outbox in the same database transaction, and the {@link OutboxRelay}
 * publishes them to Kafka right after it commits (whatever it could not send waits there for the
 * next tick or {@code lakehouse relay}); a support report is published to FTP for every simulated
 * day that ends.
 */
public final class ShopSimulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShopSimulator.class);
    /** Held for the whole run: two simulators on one shop would hand out the same ids. */
    private static final long SIMULATOR_LOCK = 0x5ED0_5EED_0001L;

    private final LakehouseConfig.Simulator config;
    private final ShopDatabase database;
    private final OutboxRelay relay;
    private final SupportReportPublisher reports;
    private final Connection connection;
    /** Whether the last relay after a tick failed: said once when it starts and once when it ends. */
    private boolean relayFailing;
    private long relayFailedAt;
    private static final Duration RELAY_RETRY = Duration.ofSeconds(30);

    /**
     * The simulator of the configured shop, as the tools run it: schema migrated, events relayed to
     * Kafka under the shop's one transactional id (a second relay fences the first).
     */
    public static ShopSimulator open(LakehouseConfig config) {
        ShopDatabase db = new ShopDatabase(config.postgres());
        db.migrate();
        return new ShopSimulator(config, db, OutboxRelay.open(config));
    }

    /** A simulator whose events are relayed through the caller's publisher (which the caller closes). */
    public ShopSimulator(LakehouseConfig config, ShopDatabase database, EventPublisher events) {
        this(config, database, OutboxRelay.through(database, events, config.kafka()));
    }

    private ShopSimulator(LakehouseConfig config, ShopDatabase database, OutboxRelay relay) {
        this.config = config.simulator();
        this.database = database;
        this.relay = relay;
        this.reports = new SupportReportPublisher(config.ftp());
        Connection c;
        try {
            c = database.connect();
        } catch (RuntimeException e) {
            relay.close();
            throw e;
        }
        this.connection = c;
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + SIMULATOR_LOCK + ")")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                close();
                throw new StateException("another simulator is already running against " + database.config().url());
            }
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            close();
            throw new IllegalStateException(e);
        }
        relayAfterCommit(); // what a simulator that died before its relay left in the outbox
    }

    /** What a run did: per-type event counts and per-table new rows, for the summary line. */
    public record Summary(String mode, int days, long ticks, Map<String, Long> eventsByType, List<String> reports,
                          Duration elapsed, Instant clock) {
        public long events() {
            return eventsByType.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The simulated time up to which the shop has been simulated. */
    public Instant clock() {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT clock FROM simulator.state WHERE id = 1")) {
            if (!rs.next()) {
                throw new StateException("the shop database is not seeded yet: run 'lakehouse seed' first");
            }
            Instant clock = rs.getTimestamp(1).toInstant();
            connection.commit();
            return clock;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Seeds master data and publishes each product's opening stock. */
    public ShopSeeder.Seeded seed(double scaleFactor, long seed, Instant start) {
        ShopSeeder.Seeded result = inTransaction(() -> {
            ShopSeeder.Seeded seeded = ShopSeeder.seed(connection, scaleFactor, seed, start);
            ShopState state = ShopWriter.load(connection);
            List<ShopEvent> opening = ShopRules.initialStock(state, start);
            EventOutbox.add(connection, opening);
            try (var st = connection.prepareStatement("UPDATE simulator.state SET next_event_seq = ? WHERE id = 1")) {
                st.setLong(1, state.nextEventSeq);
                st.executeUpdate();
            }
            return seeded;
        });
        relayOrFail();
        return result;
    }

    /**
     * Simulates {@code days} days from the simulator's clock, one transaction per day. Refused, before
     * anything is written, when the last day would end after the wall clock: the database would
     * hold a future the stream cannot (the broker refuses records stamped ahead of its clock).
     */
    public Summary backfill(int days, Consumer<String> progress) {
        long started = System.nanoTime();
        Map<String, Long> counts = new TreeMap<>();
        List<String> published = new ArrayList<>();
        ShopState state = load();
        Instant end = state.clock.plus(Duration.ofDays(days));
        Instant now = Instant.now();
        if (end.isAfter(now)) {
            long possible = Math.max(0, Duration.between(state.clock, now).toDays());
            throw new StateException("cannot backfill " + days + " day(s) from the simulator's clock " + state.clock
                    + ": that ends at " + end + ", after the wall clock (" + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + "); at most " + possible + " whole day(s) can be backfilled now, and 'simulate live' runs the present");
        }
        ShopRules rules = new ShopRules(config, state);
        // a day in steps short enough that carts, checkouts and price changes spread over its hours
        int ticksPerDay = ShopRhythm.backfillStepsPerDay(config.effectiveTicksPerDay());
        long ticks = 0;
        for (int d = 0; d < days; d++) {
            Instant dayStart = state.clock;
            Instant dayEnd = dayStart.plus(Duration.ofDays(1));
            long step = Duration.between(dayStart, dayEnd).toMillis() / ticksPerDay;
            ShopState current = state;
            inTransaction(() -> {
                for (int t = 0; t < ticksPerDay; t++) {
                    Instant from = dayStart.plusMillis(t * step);
                    Instant to = t == ticksPerDay - 1 ? dayEnd : from.plusMillis(step);
                    List<ShopEvent> tickEvents = rules.tick(from, to,
                            ShopRhythm.intensity(from, to, config.effectiveTicksPerDay(), 1.0));
                    EventOutbox.add(connection, tickEvents);
                    tickEvents.forEach(e -> counts.merge(e.type(), 1L, Long::sum));
                }
                ShopWriter.flush(connection, current);
                return null;
            });
            ticks += ticksPerDay;
            published.addAll(publishReports(state, progress));
            if (progress != null) {
                progress.accept("simulated " + dayStart.atZone(ZoneOffset.UTC).toLocalDate() + " (" + (d + 1) + "/"
                        + days + ")");
            }
        }
        relayOrFail();
        return new Summary("backfill", days, ticks, counts, published, Duration.ofNanos(System.nanoTime() - started),
                state.clock);
    }

    /**
     * Runs in real time, a tick every {@code tick-seconds} (each with its share of the day's
     * activity, times {@code sim.speed}), until {@code duration} has passed
     * (forever when null) or the thread is interrupted. Simulated time is the wall clock; a clock
     * behind it (after a backfill) jumps forward: the gap is a quiet shop.
     */
    public Summary live(Duration duration, Clock wallClock, Consumer<String> progress) {
        return live(duration, wallClock, progress, () -> false);
    }

    /**
     * As {@link #live(Duration, Clock, Consumer)}, also stopping between two ticks once {@code stop}
     * says so: a way to stop that never interrupts a tick between its database and Kafka commits.
     */
    public Summary live(Duration duration, Clock wallClock, Consumer<String> progress,
                        java.util.function.BooleanSupplier stop) {
        long started = System.nanoTime();
        Map<String, Long> counts = new TreeMap<>();
        List<String> published = new ArrayList<>();
        ShopState state = load();
        ShopRules rules = new ShopRules(config, state);
        Instant now = wallClock.instant();
        if (state.clock.isAfter(now)) {
            throw new StateException("the simulator's clock (" + state.clock + ") is ahead of the wall clock; "
                    + "live mode cannot run before then");
        }
        Instant behind = state.clock;
        state.clock = now;
        published.addAll(publishReports(state, progress));
        if (behind.isBefore(now)) {
            LOG.info("simulated clock jumps from {} to the wall clock", behind);
        }
        Instant endAt = duration == null ? Instant.MAX : now.plus(duration);
        long ticks = 0;
        try {
            while (true) {
                Instant next = state.clock.plusSeconds(config.tickSeconds());
                if (next.isAfter(endAt)) {
                    break;
                }
                long waitMillis;
                while (!stop.getAsBoolean() && (waitMillis = Duration.between(wallClock.instant(), next).toMillis()) > 0) {
                    Thread.sleep(Math.min(waitMillis, 250));
                }
                if (stop.getAsBoolean()) {
                    break;
                }
                Instant from = state.clock;
                Instant to = wallClock.instant();
                inTransaction(() -> {
                    List<ShopEvent> tickEvents = rules.tick(from, to,
                            ShopRhythm.intensity(from, to, config.effectiveTicksPerDay(), config.speed()));
                    EventOutbox.add(connection, tickEvents);
                    tickEvents.forEach(e -> counts.merge(e.type(), 1L, Long::sum));
                    ShopWriter.flush(connection, state);
                    return null;
                });
                ticks++;
                published.addAll(publishReports(state, progress));
                if (progress != null) {
                    progress.accept("tick " + ticks + " at " + to + ": " + counts);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Summary("live", 0, ticks, counts, published, Duration.ofNanos(System.nanoTime() - started),
                state.clock);
    }

    /** Publishes the report of every simulated day that has ended and has no report yet. */
    private List<String> publishReports(ShopState state, Consumer<String> progress) {
        List<String> names = new ArrayList<>();
        LocalDate today = state.clock.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate last;
        long seed;
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT last_report, seed FROM simulator.state WHERE id = 1")) {
            rs.next();
            last = rs.getDate(1).toLocalDate();
            seed = rs.getLong(2);
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        for (LocalDate day = last.plusDays(1); day.isBefore(today); day = day.plusDays(1)) {
            LocalDate reportDay = day;
            SupportReportPublisher.Published p = inTransaction(
                    () -> reports.publish(connection, seed, reportDay, state.customerIds));
            names.add(p.fileName());
            if (progress != null) {
                progress.accept("report " + p.fileName() + ": " + p.newTickets() + " new, " + p.resolvedTickets()
                        + " resolved, " + p.csvRows() + " rows" + (p.previousDeleted() ? ", previous deleted" : ""));
            }
        }
        return names;
    }

    private ShopState load() {
        try {
            ShopState state = ShopWriter.load(connection);
            connection.commit();
            return state;
        } catch (SQLException e) {
            throw new IllegalStateException("loading the shop's state failed: " + e.getMessage(), e);
        }
    }

    private interface Work<T> {
        T run() throws SQLException, IOException;
    }

    /** One database transaction (the rows and their events in the outbox), then the relay. */
    private <T> T inTransaction(Work<T> work) {
        T result;
        try {
            result = work.run();
            connection.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("simulation step failed: " + e.getMessage(), e);
        }
        relayAfterCommit();
        return result;
    }

    /**
     * Sends what the outbox holds. Kafka being away does not stop the shop: the events wait in
     * the outbox (said once), and the next tick, the end of a backfill or {@code lakehouse relay}
     * sends them.
     */
    private void relayAfterCommit() {
        if (relayFailing && System.nanoTime() - relayFailedAt < RELAY_RETRY.toNanos()) {
            return; // a broker that is down costs a connect timeout per attempt: not one per tick
        }
        try {
            relay.drain();
            if (relayFailing) {
                LOG.info("outbox relay: Kafka takes events again; the outbox is drained");
            }
            relayFailing = false;
        } catch (UnreachableException e) {
            if (!relayFailing) {
                LOG.warn("{}", e.getMessage());
            }
            relayFailing = true;
            relayFailedAt = System.nanoTime();
        }
    }

    /** Sends what the outbox holds, or fails in one line saying how many events wait there. */
    private void relayOrFail() {
        relay.drain();
        relayFailing = false;
    }

    @Override
    public void close() {
        reports.close();
        relay.close();
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing releases the advisory lock either way
        }
    }
}
