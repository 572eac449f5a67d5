package dev.shoplake.cli;

import dev.shoplake.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The settings options every command line takes (the full one and the thin sql client's). */
final class ConfigOptions {
    static final Path DEFAULT_CONFIG = Path.of("conf/local.properties");

    // INHERIT: 'lakehouse batch --conf k=v' works as well as 'lakehouse --conf k=v batch'
    @Option(names = "--config", scope = CommandLine.ScopeType.INHERIT, description = "Properties file with spark.lakehouse.* settings (default: "
            + "conf/local.properties when it exists; under spark-submit, the SparkConf).")
    Path configFile;

    @Option(names = "--conf", scope = CommandLine.ScopeType.INHERIT, description = "Override a setting: key=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    /** The file (or the default one), then the SparkConf spark-submit passes as system properties, then --conf. */
    Settings settings() {
        Path file = configFile != null ? configFile : Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
        Map<String, String> sparkConf = new TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("spark."))
                .forEach(k -> sparkConf.put(k, System.getProperty(k)));
        return Settings.load(file, sparkConf, overrides);
    }
}
