package dev.shoplake.source.sim;

import java.time.Duration;
import java.time.Instant;

/**
 * How busy the shop is at a moment: the same day, backfilled or lived. A day holds
 * {@code ticksPerDay} of the generator's ticks of activity, spread over the hours by a day curve
 * (quiet at night, busiest in the afternoon, UTC), whatever length the simulator's own steps have:
 * a step of any length gets the share of the day's activity that falls in it, its intensity (1.0
 * = one generator tick). Live mode multiplies it by {@code speed}.
 */
final class ShopRhythm {
    private static final double DAY_MS = Duration.ofDays(1).toMillis();
    /** The day curve's swing around its mean of 1: 0.4 at 04:00 UTC, 1.6 at 16:00. */
    private static final double SWING = 0.6;

    /** The steps a backfilled day is simulated in: every 5 minutes, or finer on a busy shop. */
    static int backfillStepsPerDay(int ticksPerDay) {
        return Math.max(288, ticksPerDay);
    }

    private ShopRhythm() {
    }

    /** The day curve at a moment: mean 1 over a day. */
    static double curve(Instant t) {
        double hour = (t.toEpochMilli() % (long) DAY_MS) / 3_600_000.0;
        return 1 + SWING * Math.sin(2 * Math.PI * (hour - 10) / 24);
    }

    /** The generator ticks of activity in [from, to): the day's ticks, by the curve, times speed. */
    static double intensity(Instant from, Instant to, int ticksPerDay, double speed) {
        long span = Duration.between(from, to).toMillis();
        return speed * ticksPerDay * (span / DAY_MS) * curve(from.plusMillis(span / 2));
    }
}
