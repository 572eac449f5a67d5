package dev.shoplake.gold;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The days gold.dim_date holds, first to last (inclusive). The calendar is static: it holds whole
 * years, so a run only writes it when a date falls in a year it does not hold yet. The span
 * travels as the note of the calendar's commit, so a run reads it from the log without a Spark job.
 */
record CalendarSpan(LocalDate first, LocalDate last) {
    private static final ObjectMapper JSON = dev.shoplake.config.Json.MAPPER;
    private static final String FORMAT = "shoplake.calendar/1";

    /** Every day of the years from {@code firstYear} through {@code lastYear}. */
    static CalendarSpan years(int firstYear, int lastYear) {
        return new CalendarSpan(LocalDate.of(firstYear, 1, 1), LocalDate.of(lastYear, 12, 31));
    }

    /** The first and last date of a one-column dataset of dates (one small aggregate); empty when it has none. */
    static Optional<CalendarSpan> of(Dataset<Row> dates) {
        String d = dates.columns()[0];
        Row ends = dates.agg(functions.min(d), functions.max(d)).first();
        return ends.isNullAt(0) ? Optional.empty()
                : Optional.of(new CalendarSpan(ends.getDate(0).toLocalDate(), ends.getDate(1).toLocalDate()));
    }

    /** The calendar that holds this one and every day of the years {@code needed} touches, without a gap. */
    CalendarSpan extendedTo(CalendarSpan needed) {
        CalendarSpan whole = years(needed.first().getYear(), needed.last().getYear());
        return new CalendarSpan(first.isBefore(whole.first()) ? first : whole.first(),
                last.isAfter(whole.last()) ? last : whole.last());
    }

    /** The spans {@code wider} holds and this one does not: before its first day, after its last. */
    List<CalendarSpan> missingFrom(CalendarSpan wider) {
        List<CalendarSpan> missing = new ArrayList<>();
        if (wider.first().isBefore(first)) {
            missing.add(new CalendarSpan(wider.first(), first.minusDays(1)));
        }
        if (wider.last().isAfter(last)) {
            missing.add(new CalendarSpan(last.plusDays(1), wider.last()));
        }
        return missing;
    }

    String note() {
        return JSON.createObjectNode().put("format", FORMAT).put("first", first.toString())
                .put("last", last.toString()).toString();
    }

    /** The span a commit's note states; empty for another note or a damaged one. */
    static Optional<CalendarSpan> fromNote(String note) {
        try {
            JsonNode root = JSON.readTree(note);
            if (root == null || !FORMAT.equals(root.path("format").asText())
                    || !root.path("first").isTextual() || !root.path("last").isTextual()) {
                return Optional.empty();
            }
            CalendarSpan span = new CalendarSpan(LocalDate.parse(root.get("first").asText()),
                    LocalDate.parse(root.get("last").asText()));
            return span.last().isBefore(span.first()) ? Optional.empty() : Optional.of(span);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | DateTimeParseException damaged) {
            return Optional.empty();
        }
    }
}
