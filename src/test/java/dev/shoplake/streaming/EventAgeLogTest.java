package dev.shoplake.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The console's line about the stream: the last minute's events only, nearest-rank percentiles. */
class EventAgeLogTest {
    private static LiveListener.Batch committed(long atMs, long... agesMs) {
        return new LiveListener.Batch(0, Instant.ofEpochMilli(atMs), agesMs.length, null, -1, List.of(), List.of(), agesMs);
    }

    @Test
    void saysTheMedianAndP95OfTheLastMinutesEventsAndNothingForAQuietMinute() {
        EventAgeLog log = EventAgeLog.everyMinute(line -> { });
        log.onBatch(committed(1_000, 90_000)); // more than a minute before: not counted
        long[] ages = new long[20];
        for (int i = 0; i < ages.length; i++) {
            ages[i] = (i + 1) * 100L; // 0.1 s .. 2.0 s
        }
        log.onBatch(committed(70_000, ages));
        assertEquals(Optional.of("stream: 20 events in the last minute, event to gold p50 1.0 s, p95 1.9 s"),
                log.summary(100_000));
        assertEquals(Optional.empty(), log.summary(200_000));
        log.close();
    }
}
