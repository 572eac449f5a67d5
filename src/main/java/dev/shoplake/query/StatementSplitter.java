package dev.shoplake.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements at the semicolons that end them: a semicolon inside a quoted
 * string, a back-quoted name or a comment does not end a statement. Statements come back trimmed,
 * without their semicolon; empty ones are dropped.
 */
public final class StatementSplitter {
    private StatementSplitter() {
    }

    /** What a buffer holds: the complete statements, and the unfinished rest. */
    public record Split(List<String> statements, String rest) {
    }

    public static Split split(String text) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (Segment segment : segments(text)) {
            if (!segment.code()) {
                current.append(segment.text());
                continue;
            }
            String code = segment.text();
            int from = 0;
            for (int semicolon = code.indexOf(';'); semicolon >= 0; semicolon = code.indexOf(';', from)) {
                current.append(code, from, semicolon);
                add(statements, current.toString());
                current.setLength(0);
                from = semicolon + 1;
            }
            current.append(code.substring(from));
        }
        return new Split(statements, current.toString());
    }

    /** A run of SQL text: code, or a string, quoted name or comment (where ; and :name mean nothing). */
    private record Segment(String text, boolean code) {
    }

    /** The text cut into code and non-code runs; together they are the text, character for character. */
    private static List<Segment> segments(String text) {
        List<Segment> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean code = true;
        char quote = 0;
        boolean lineComment = false;
        boolean blockComment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            boolean opens = quote == 0 && !lineComment && !blockComment
                    && ((c == '-' && next == '-') || (c == '/' && next == '*') || c == '\'' || c == '"' || c == '`');
            if (opens && code) {
                flush(out, current, true);
                code = false;
            }
            current.append(c);
            if (lineComment) {
                lineComment = c != '\n';
            } else if (blockComment) {
                if (c == '*' && next == '/') {
                    current.append(next);
                    i++;
                    blockComment = false;
                }
            } else if (quote != 0) {
                if (c == '\\' && quote != '`' && next != 0) {
                    current.append(next);
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '-' && next == '-') {
                lineComment = true;
            } else if (c == '/' && next == '*') {
                current.append(next);
                i++;
                blockComment = true;
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            }
            if (!code && quote == 0 && !lineComment && !blockComment) {
                flush(out, current, false);
                code = true;
            }
        }
        flush(out, current, code);
        return out;
    }

    private static void flush(List<Segment> out, StringBuilder current, boolean code) {
        if (!current.isEmpty()) {
            out.add(new Segment(current.toString(), code));
            current.setLength(0);
        }
    }

    /** Every statement of a whole script; a last one without its semicolon counts too. */
    public static List<String> script(String text) {
        Split split = split(text);
        List<String> all = new ArrayList<>(split.statements());
        add(all, split.rest());
        return all;
    }

    private static void add(List<String> statements, String statement) {
        if (!withoutComments(statement).isBlank()) {
            statements.add(statement.strip());
        }
    }

    /** The named parameters ({@code :name}) a statement uses, outside comments and strings. */
    public static java.util.Set<String> parametersUsed(String sql) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        substitute(sql, name -> {
            names.add(name);
            return ":" + name;
        });
        return names;
    }

    /**
     * The statement with each {@code :name} replaced by its value as a SQL literal (a string
     * quoted and escaped, a number as it is, a date as DATE'...'). Spark's own parameter binding
     * ({@code spark.sql(text, args)}) loses the parameters under Delta's SQL extension, so the
     * project binds them itself, here, once.
     */
    public static String bind(String sql, java.util.Map<String, ?> params) {
        return substitute(sql, name -> {
            if (!params.containsKey(name)) {
                throw new IllegalArgumentException("no value for the parameter :" + name + " (give one with -d "
                        + name + "=value)");
            }
            return literal(params.get(name));
        });
    }

    static String literal(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof Number) {
            return v.toString();
        }
        if (v instanceof java.time.LocalDate d) {
            return "DATE'" + d + "'";
        }
        return "'" + v.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static final java.util.regex.Pattern PARAMETER =
            java.util.regex.Pattern.compile("(?<![:\\w]):([A-Za-z_][A-Za-z0-9_]*)");

    private static String substitute(String sql, java.util.function.UnaryOperator<String> value) {
        return inCode(sql, code -> PARAMETER.matcher(code)
                .replaceAll(m -> java.util.regex.Matcher.quoteReplacement(value.apply(m.group(1)))));
    }

    /** The statement with {@code edit} applied to its code only: strings, quoted names and comments stay as they are. */
    static String inCode(String sql, java.util.function.UnaryOperator<String> edit) {
        StringBuilder out = new StringBuilder();
        for (Segment segment : segments(sql)) {
            out.append(segment.code() ? edit.apply(segment.text()) : segment.text());
        }
        return out.toString();
    }

    /** The text with its comments removed (to tell a statement from a comment-only chunk). */
    static String withoutComments(String sql) {
        return sql.replaceAll("(?m)--.*$", "").replaceAll("(?s)/\\*.*?\\*/", "");
    }
}
