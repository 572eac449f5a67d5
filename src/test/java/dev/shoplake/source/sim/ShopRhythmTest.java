package dev.shoplake.source.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A day holds the same activity whatever the length of the simulator's steps: backfilled or live, one shop. */
class ShopRhythmTest {
    private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");

    private static double dayIn(Duration step, int ticksPerDay, double speed) {
        double sum = 0;
        for (Instant t = DAY; t.isBefore(DAY.plus(Duration.ofDays(1))); t = t.plus(step)) {
            sum += ShopRhythm.intensity(t, t.plus(step), ticksPerDay, speed);
        }
        return sum;
    }

    @Test
    void aDayHoldsItsTicksInFiveMinuteStepsAsInOneSecondSteps() {
        assertEquals(83.0, dayIn(Duration.ofMinutes(5), 83, 1.0), 1e-9);
        assertEquals(83.0, dayIn(Duration.ofSeconds(1), 83, 1.0), 1e-9);
        assertEquals(2 * 83.0, dayIn(Duration.ofMinutes(1), 83, 2.0), 1e-9, "speed multiplies the day");
        assertEquals(288, ShopRhythm.backfillStepsPerDay(1));
        assertEquals(1000, ShopRhythm.backfillStepsPerDay(1000), "a busy shop gets steps of at most one tick");
    }

    @Test
    void theAfternoonIsBusierThanTheNight() {
        assertEquals(0.4, ShopRhythm.curve(Instant.parse("2026-11-20T04:00:00Z")), 1e-9);
        assertEquals(1.6, ShopRhythm.curve(Instant.parse("2026-11-20T16:00:00Z")), 1e-9);
        assertTrue(ShopRhythm.curve(Instant.parse("2026-11-20T01:00:00Z")) > 0, "never closed");
    }
}
