package dev.shoplake.query;

import dev.shoplake.config.BadInputException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The warehouse as it was at a moment: each lake table a query names is read as of that moment
 * (Delta's time travel), so every table of one look is of the same moment. One rewrite serves every
 * surface ({@code sql --as-of}, the dashboard's "as of"), local or over Spark Connect.
 *
 * <p>Delta refuses {@code TIMESTAMP AS OF} a moment after a table's last commit, which is the usual
 * case for a table that has not moved since: such a table is read {@code VERSION AS OF} its last
 * version, which is exactly the table at that moment ({@link AsOfReader} decides, per table).
 */
public final class AsOf {
    private static final DateTimeFormatter SPARK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);
    /** A table reference: a layer and a name, not part of a longer name, not a function call. */
    private static final Pattern TABLE = Pattern.compile("(?<![\\w.])([A-Za-z_]\\w*)\\.([A-Za-z_]\\w*)(?![\\w.(])");
    /** Already travelling: the table names its own version or moment. */
    private static final Pattern TRAVELS = Pattern.compile("(?i)^\\s+(VERSION|TIMESTAMP|FOR)\\b");
    /** Statements that read (a DESCRIBE, SHOW or write is left as it is). */
    private static final Pattern QUERY = Pattern.compile("(?is)^\\s*(\\(\\s*)*(SELECT|WITH|FROM|TABLE|VALUES)\\b.*");

    private AsOf() {
    }

    /**
     * A moment as a user gives it: 2026-11-30, 2026-11-30 12:00[:00[.000]], or an ISO instant
     * (2026-11-30T12:00:00Z), UTC unless the instant says otherwise; as Spark's timestamp literal.
     */
    public static String moment(String text) {
        String t = text.strip();
        try {
            if (t.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return SPARK.format(LocalDate.parse(t).atStartOfDay());
            }
            if (t.matches("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?")) {
                return SPARK.format(LocalDateTime.parse(t.replace(' ', 'T')));
            }
            return SPARK.format(LocalDateTime.ofInstant(Instant.parse(t), ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            throw new BadInputException("as of '" + text + "': not a moment (2026-11-30, 2026-11-30 12:00:00, "
                    + "2026-11-30T12:00:00Z)");
        }
    }

    /** Delta's time travel to a moment (as {@link #moment} gives it), in the session's time zone (UTC). */
    public static String atMoment(String moment) {
        return "TIMESTAMP AS OF '" + moment + "'";
    }

    /** Delta's time travel to a version. */
    public static String atVersion(long version) {
        return "VERSION AS OF " + version;
    }

    /**
     * {@code sql} with each of {@code tables} ("layer.name", lower case) it reads followed by
     * {@code clauseOf} the table ({@link #atMoment} or {@link #atVersion}); names in strings and comments, and statements
     * that do not read, are left alone.
     */
    public static String rewrite(String sql, Set<String> tables, java.util.function.UnaryOperator<String> clauseOf) {
        if (!QUERY.matcher(StatementSplitter.withoutComments(sql)).matches()) {
            return sql;
        }
        return StatementSplitter.inCode(sql, code -> {
            Matcher m = TABLE.matcher(code);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = (m.group(1) + "." + m.group(2)).toLowerCase(Locale.ROOT);
                boolean travels = TRAVELS.matcher(code.substring(m.end())).find();
                m.appendReplacement(out, Matcher.quoteReplacement(m.group() + (tables.contains(name) && !travels
                        ? " " + clauseOf.apply(name) : "")));
            }
            m.appendTail(out);
            return out.toString();
        });
    }
}
