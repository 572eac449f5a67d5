package dev.shoplake.query;

import java.util.ArrayList;
import java.util.List;

/** Rows as an aligned text table, as spark-sql and psql print them: numbers right, text left. */
public final class ResultTable {
    private ResultTable() {
    }

    /**
     * @param numeric which columns hold numbers (aligned right)
     * @param cells   the rows' values already as text; null prints as NULL
     */
    public static String format(List<String> header, List<Boolean> numeric, List<List<String>> cells) {
        int n = header.size();
        int[] width = new int[n];
        for (int c = 0; c < n; c++) {
            width[c] = header.get(c).length();
        }
        List<List<String>> shown = new ArrayList<>();
        for (List<String> row : cells) {
            List<String> r = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                String v = row.get(c) == null ? "NULL" : row.get(c).replace("\n", "\\n").replace("\t", "\\t");
                r.add(v);
                width[c] = Math.max(width[c], v.length());
            }
            shown.add(r);
        }
        StringBuilder out = new StringBuilder();
        line(out, width);
        out.append('|');
        for (int c = 0; c < n; c++) {
            out.append(' ').append(pad(header.get(c), width[c], false)).append(" |");
        }
        out.append('\n');
        line(out, width);
        for (List<String> r : shown) {
            out.append('|');
            for (int c = 0; c < n; c++) {
                out.append(' ').append(pad(r.get(c), width[c], numeric.get(c))).append(" |");
            }
            out.append('\n');
        }
        line(out, width);
        return out.toString();
    }

    private static void line(StringBuilder out, int[] width) {
        out.append('+');
        for (int w : width) {
            out.append("-".repeat(w + 2)).append('+');
        }
        out.append('\n');
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }
}
