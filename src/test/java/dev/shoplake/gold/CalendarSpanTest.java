package dev.shoplake.gold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CalendarSpanTest {
    private static CalendarSpan span(String first, String last) {
        return new CalendarSpan(LocalDate.parse(first), LocalDate.parse(last));
    }

    private static List<CalendarSpan> added(CalendarSpan held, CalendarSpan dates) {
        return held.missingFrom(held.extendedTo(dates));
    }

    @Test
    void aRunAddsOnlyTheWholeYearsTheCalendarDoesNotHoldWithoutAGap() {
        CalendarSpan year2026 = CalendarSpan.years(2026, 2026);
        assertEquals(span("2026-01-01", "2026-12-31"), year2026);
        assertEquals(List.of(), added(year2026, span("2026-03-01", "2026-12-31")), "dates inside: nothing to write");
        assertEquals(List.of(span("2027-01-01", "2027-12-31")), added(year2026, span("2026-12-30", "2027-01-05")),
                "a date in the next year: that year, whole");
        assertEquals(List.of(span("2024-01-01", "2025-12-31")), added(year2026, span("2024-12-31", "2024-12-31")),
                "a date two years before: both years, no gap");
        assertEquals(List.of(span("2025-01-01", "2025-12-31"), span("2027-01-01", "2028-12-31")),
                added(year2026, span("2025-06-01", "2028-02-29")), "both ends at once");
        assertEquals(List.of(span("2026-01-01", "2026-05-31"), span("2026-07-01", "2026-12-31")),
                added(span("2026-06-01", "2026-06-30"), span("2026-06-15", "2026-06-15")),
                "a calendar of days only (written before it held whole years) is completed to its years");
    }

    @Test
    void theSpanTravelsAsACommitNoteAndAnyOtherNoteIsNone() {
        CalendarSpan held = CalendarSpan.years(2025, 2027);
        assertEquals(Optional.of(held), CalendarSpan.fromNote(held.note()));
        for (String other : List.of("{\"format\":\"shoplake.model-inputs/1\",\"rows\":[]}", "not json", "",
                "{\"format\":\"shoplake.calendar/1\",\"first\":\"2026-01-01\"}",
                "{\"format\":\"shoplake.calendar/1\",\"first\":\"2026-01-01\",\"last\":\"soon\"}",
                "{\"format\":\"shoplake.calendar/1\",\"first\":\"2026-01-01\",\"last\":\"2025-12-31\"}",
                "{\"format\":\"shoplake.calendar/1\",\"first\":20260101,\"last\":\"2026-12-31\"}")) {
            assertEquals(Optional.empty(), CalendarSpan.fromNote(other), other);
        }
    }
}
