package dev.shoplake.bronze;

import dev.shoplake.source.report.SupportDesk;
import dev.shoplake.source.report.SupportReport;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Splits one daily report into lines that land and lines that go to quarantine, each with its line
 * number and, for quarantine, its raw text and the reason. Every line of the file ends up on exactly
 * one side. Lines are physical lines: the report's fields never hold a newline, and a line that
 * does not parse on its own is quarantined as malformed.
 */
public final class SupportReportParser {
    private static final Pattern FILE_NAME = Pattern.compile("customer_support_data_(\\d{4}-\\d{2}-\\d{2})\\.csv");
    private static final CSVFormat LINE = CSVFormat.DEFAULT;

    private SupportReportParser() {
    }

    /** A line that parsed and passed validation. */
    public record Ticket(int line, String ticketId, String customerName, String email, String phone, String category,
                         String description, LocalDate dateCreated, String status, LocalDate resolutionDate) {
    }

    /** A line (or, for an empty file, line 0) that did not. */
    public record Rejected(int line, String rawText, String reason) {
    }

    /** {@code rowsInFile} = tickets + rejected, always. */
    public record Parsed(LocalDate reportDate, int rowsInFile, List<Ticket> tickets, List<Rejected> rejected) {
    }

    /** The report's day from its name, or null when the name is not a report's. */
    public static LocalDate reportDate(String fileName) {
        Matcher m = FILE_NAME.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        try {
            return LocalDate.parse(m.group(1));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * @param earliest the day the shop's records begin: a ticket created before it is not a real
     *                 ticket of this shop (a clock or an export gone wrong)
     */
    public static Parsed parse(String fileName, byte[] content, LocalDate earliest) {
        LocalDate day = reportDate(fileName);
        List<Ticket> tickets = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        if (new String(content, StandardCharsets.ISO_8859_1).isBlank()) {
            rejected.add(new Rejected(0, new String(content, StandardCharsets.ISO_8859_1), "empty file"));
            return new Parsed(day, 1, tickets, rejected); // an empty file counts as one (empty) line

        }
        // each line decoded strictly: bytes that are not UTF-8 are never replaced silently
        List<byte[]> rawLines = splitLines(content);
        String[] lines = new String[rawLines.size()];
        boolean[] notUtf8 = new boolean[lines.length];
        for (int i = 0; i < lines.length; i++) {
            try {
                lines[i] = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(rawLines.get(i))).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                lines[i] = new String(rawLines.get(i), StandardCharsets.ISO_8859_1);
                notUtf8[i] = true;
            }
        }
        int count = lines.length;
        if (lines[count - 1].isEmpty()) {
            count--; // the newline that ends the last line
        }
        String expectedHeader = String.join(",", SupportReport.HEADER);
        boolean headerOk = lines[0].replace("\uFEFF", "").equals(expectedHeader);
        if (!headerOk) {
            rejected.add(new Rejected(1, lines[0], "header changed: expected '" + expectedHeader + "'"));
        }
        for (int i = 1; i < count; i++) {
            int lineNo = i + 1;
            String raw = lines[i];
            if (!headerOk) {
                rejected.add(new Rejected(lineNo, raw, "header changed: columns cannot be trusted"));
                continue;
            }
            boolean lastLineUnterminated = i == lines.length - 1 && !lines[i].isEmpty();
            String reason = null;
            Ticket ticket = null;
            if (notUtf8[i]) {
                rejected.add(new Rejected(lineNo, raw, "not valid UTF-8 (the raw text here is decoded as ISO-8859-1)"));
                continue;
            }
            try {
                List<CSVRecord> records = LINE.parse(new StringReader(raw)).getRecords();
                if (records.size() != 1) {
                    reason = raw.isEmpty() ? "empty line" : "malformed CSV";
                } else {
                    CSVRecord r = records.get(0);
                    if (r.size() != SupportReport.HEADER.size()) {
                        reason = "expected " + SupportReport.HEADER.size() + " columns, found " + r.size()
                                + (lastLineUnterminated ? " (file truncated?)" : "");
                    } else {
                        String[] f = r.values();
                        reason = validate(f, day, earliest);
                        if (reason == null) {
                            ticket = new Ticket(lineNo, f[0], emptyToNull(f[1]), emptyToNull(f[2]), emptyToNull(f[3]),
                                    f[4], emptyToNull(f[5]), LocalDate.parse(f[6]), f[7],
                                    f[8].isEmpty() ? null : LocalDate.parse(f[8]));
                        }
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                reason = "malformed CSV: " + e.getMessage();
            }
            if (ticket != null) {
                tickets.add(ticket);
            } else {
                rejected.add(new Rejected(lineNo, raw, reason));
            }
        }
        // a valid header is not a row; a changed one is quarantined with the rest
        return new Parsed(day, headerOk ? count - 1 : count, tickets, rejected);
    }

    /** The lines of a file, split at \\n, each without its \\r (a final empty one when the file ends with \\n). */
    static List<byte[]> splitLines(byte[] content) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= content.length; i++) {
            if (i == content.length || content[i] == '\n') {
                int end = i > start && content[i - 1] == '\r' ? i - 1 : i;
                lines.add(java.util.Arrays.copyOfRange(content, start, Math.max(start, end)));
                start = i + 1;
            }
        }
        return lines;
    }

    private static String validate(String[] f, LocalDate reportDay, LocalDate earliest) {
        if (f[0].isBlank()) {
            return "empty Ticket ID";
        }
        if (!SupportDesk.CATEGORIES.contains(f[4])) {
            return "unknown Issue Category '" + f[4] + "'";
        }
        if (!SupportDesk.STATUSES.contains(f[7])) {
            return "unknown Resolution Status '" + f[7] + "'";
        }
        if (!isDate(f[6])) {
            return "bad Date Created '" + f[6] + "'";
        }
        if (!f[8].isEmpty() && !isDate(f[8])) {
            return "bad Resolution Date '" + f[8] + "'";
        }
        LocalDate created = LocalDate.parse(f[6]);
        if (created.isBefore(earliest)) {
            return "Date Created " + f[6] + " is before the shop's records begin (" + earliest + ")";
        }
        if (!f[8].isEmpty() && LocalDate.parse(f[8]).isBefore(created)) {
            return "Resolution Date " + f[8] + " is before Date Created " + f[6];
        }
        if (reportDay != null && created.isAfter(reportDay)) {
            return "Date Created " + f[6] + " is after the report's day " + reportDay;
        }
        if (reportDay != null && !f[8].isEmpty() && LocalDate.parse(f[8]).isAfter(reportDay)) {
            return "Resolution Date " + f[8] + " is after the report's day " + reportDay;
        }
        return null;
    }

    private static boolean isDate(String s) {
        try {
            LocalDate.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
