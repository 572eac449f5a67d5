package dev.shoplake.notebook;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Bar and line charts drawn with Java2D, as images a notebook shows inline ({@code display(image)}
 * in the Java kernel saves them as PNG in the notebook). Inputs are small aggregated results.
 */
public final class Charts {
    private static final int W = 900;
    private static final int H = 380;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 80;
    private static final Color[] PALETTE = {new Color(0x5470c6), new Color(0x91cc75), new Color(0xee6666),
            new Color(0xfac858), new Color(0x73c0de)};

    private Charts() {
    }

    /** One bar per row: {@code labelColumn} under it, {@code valueColumn} its height. */
    public static BufferedImage bar(String title, Dataset<Row> rows, String labelColumn, String valueColumn) {
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Row r : rows.select(labelColumn, valueColumn).collectAsList()) {
            labels.add(String.valueOf(r.get(0)));
            values.add(r.isNullAt(1) ? 0 : ((Number) r.get(1)).doubleValue());
        }
        return bar(title, labels, values);
    }

    public static BufferedImage bar(String title, List<String> labels, List<Double> values) {
        BufferedImage image = canvas();
        Graphics2D g = image.createGraphics();
        setup(g, title);
        double max = axis(g, values.stream().mapToDouble(Double::doubleValue).max().orElse(1));
        int n = Math.max(1, values.size());
        double slot = (W - LEFT - RIGHT) / (double) n;
        for (int i = 0; i < values.size(); i++) {
            int h = (int) Math.round(values.get(i) / max * (H - TOP - BOTTOM));
            int x = (int) (LEFT + i * slot + slot * 0.15);
            g.setColor(PALETTE[0]);
            g.fillRect(x, H - BOTTOM - h, Math.max(1, (int) (slot * 0.7)), h);
            label(g, labels.get(i), (int) (LEFT + i * slot + slot / 2), n);
        }
        g.dispose();
        return image;
    }

    /** One line per value column over the rows' {@code xColumn}, in the rows' order. */
    public static BufferedImage line(String title, Dataset<Row> rows, String xColumn, String... valueColumns) {
        List<String> cols = new ArrayList<>(List.of(xColumn));
        cols.addAll(List.of(valueColumns));
        Dataset<Row> selected = rows.selectExpr(cols.toArray(String[]::new));
        String[] names = selected.columns(); // an expression's alias names its series
        List<String> xs = new ArrayList<>();
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (int i = 1; i < names.length; i++) {
            series.put(names[i], new ArrayList<>());
        }
        for (Row r : selected.collectAsList()) {
            xs.add(String.valueOf(r.get(0)));
            for (int i = 1; i < names.length; i++) {
                series.get(names[i]).add(r.isNullAt(i) ? 0 : ((Number) r.get(i)).doubleValue());
            }
        }
        return line(title, xs, series);
    }

    public static BufferedImage line(String title, List<String> xs, Map<String, List<Double>> series) {
        BufferedImage image = canvas();
        Graphics2D g = image.createGraphics();
        setup(g, title);
        double max = axis(g, series.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max()
                .orElse(1));
        int n = Math.max(2, xs.size());
        double step = (W - LEFT - RIGHT) / (double) (n - 1);
        int s = 0;
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            g.setColor(PALETTE[s % PALETTE.length]);
            g.setStroke(new BasicStroke(2f));
            List<Double> v = e.getValue();
            for (int i = 1; i < v.size(); i++) {
                g.drawLine((int) (LEFT + (i - 1) * step), y(v.get(i - 1), max), (int) (LEFT + i * step), y(v.get(i), max));
            }
            g.fillRect(W - RIGHT - 200, 14 + s * 16, 12, 10);
            g.setColor(Color.DARK_GRAY);
            g.drawString(e.getKey(), W - RIGHT - 182, 24 + s * 16);
            s++;
        }
        for (int i = 0; i < xs.size(); i++) {
            label(g, xs.get(i), (int) (LEFT + i * step), n);
        }
        g.dispose();
        return image;
    }

    private static BufferedImage canvas() {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.dispose();
        return image;
    }

    private static void setup(Graphics2D g, String title) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(0x1f2330));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }

    /** Draws the y axis with gridlines; returns the axis maximum (a round number at or above max). */
    private static double axis(Graphics2D g, double max) {
        double top = niceCeiling(max <= 0 ? 1 : max);
        g.setColor(new Color(0xe1e4ee));
        for (int i = 0; i <= 4; i++) {
            int y = y(top * i / 4, top);
            g.drawLine(LEFT, y, W - RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            String text = top >= 100 ? String.format("%,.0f", top * i / 4) : String.format("%.1f", top * i / 4);
            g.drawString(text, LEFT - 8 - g.getFontMetrics().stringWidth(text), y + 4);
            g.setColor(new Color(0xe1e4ee));
        }
        return top;
    }

    private static int y(double v, double max) {
        return (int) Math.round(H - BOTTOM - v / max * (H - TOP - BOTTOM));
    }

    private static void label(Graphics2D g, String text, int x, int n) {
        int every = Math.max(1, n / 15); // at most ~15 labels, so they stay readable
        if (n > 15 && (x - LEFT) / Math.max(1, (W - LEFT - RIGHT) / n) % every != 0) {
            return;
        }
        String t = text.length() > 18 ? text.substring(0, 17) + "…" : text;
        g.setColor(Color.DARK_GRAY);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(Math.toRadians(-35), x, H - BOTTOM + 12);
        r.drawString(t, x - r.getFontMetrics().stringWidth(t), H - BOTTOM + 16);
        r.dispose();
    }

    static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= v) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
