package dev.shoplake.bench;

import dev.shoplake.config.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bench's figures, kept in order, written as {@code result.json}: numbers, strings and nested objects. */
final class BenchResult {
    private final Map<String, Object> values = new LinkedHashMap<>();

    BenchResult put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    BenchResult putAll(Map<String, Object> more) {
        values.putAll(more);
        return this;
    }

    Object get(String key) {
        return values.get(key);
    }

    String toJson() {
        return Json.pretty(values);
    }

    /** Median of a few measurements; with their spread as {min, max}. */
    static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static Map<String, Object> spread(List<Double> xs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", round(median(xs)));
        m.put("min", round(xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN)));
        m.put("max", round(xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
        m.put("n", xs.size());
        return m;
    }

    static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
