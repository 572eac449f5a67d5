package dev.shoplake.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The raw key/value settings of one run: a properties file (the same file
 * {@code spark-submit --properties-file} reads) with command-line overrides on top. Only
 * {@code spark.lakehouse.*} keys are ours; spark-submit passes {@code spark.*} keys into the
 * SparkConf, so the same file configures a local run and a cluster run.
 */
public final class Settings {
    public static final String PREFIX = "spark.lakehouse.";

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    /** Reads {@code file} (if not null) and applies {@code overrides} ("key=value") on top. */
    public static Settings load(Path file, List<String> overrides) {
        return load(file, Map.of(), overrides);
    }

    /**
     * Layers, each over the one before: {@code file}, then {@code sparkConf} (under spark-submit the
     * SparkConf's {@code spark.*} entries, which it passes as system properties), then overrides.
     */
    public static Settings load(Path file, Map<String, String> sparkConf, List<String> overrides) {
        Map<String, String> merged = new TreeMap<>();
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new ConfigException("config file " + file + " does not exist or is not readable");
            }
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage(), e);
            }
            props.stringPropertyNames().forEach(k -> merged.put(k, props.getProperty(k).trim()));
        }
        sparkConf.forEach((k, v) -> {
            if (k.startsWith("spark.")) {
                merged.put(k, v.trim());
            }
        });
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("override '" + override + "' is not of the form key=value");
            }
            merged.put(override.substring(0, eq).trim(), override.substring(eq + 1).trim());
        }
        return new Settings(merged);
    }

    public Map<String, String> asMap() {
        return values;
    }

    /** Settings with {@code key} set to {@code value}, for tests and derived runs. */
    public Settings with(String key, String value) {
        Map<String, String> copy = new TreeMap<>(values);
        copy.put(key, value);
        return new Settings(copy);
    }

    public String string(String key, String defaultValue) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? defaultValue : v;
    }

    public String required(String key) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            throw new ConfigException("setting " + key + " is required");
        }
        return v;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new ConfigException("setting " + key + "=" + v + " is out of range [" + min + ", " + max + "]");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException("setting " + key + "=" + v + " is not a whole number");
        }
    }

    public long longValue(String key, long defaultValue) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException("setting " + key + "=" + v + " is not a whole number");
        }
    }

    public double decimal(String key, double defaultValue, double min, double max) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        try {
            double d = Double.parseDouble(v);
            if (!(d >= min && d <= max)) {
                throw new ConfigException("setting " + key + "=" + v + " is out of range [" + min + ", " + max + "]");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ConfigException("setting " + key + "=" + v + " is not a number");
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new ConfigException("setting " + key + "=" + v + " must be true or false");
    }
}
