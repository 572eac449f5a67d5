package dev.shoplake.testing;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A command line that runs the project's CLI in a JVM of its own, as an operator would. */
public final class TestJvm {
    /**
     * A CLI JVM of a test is a short run of many small Spark jobs: the quick compiler alone and the
     * parallel collector spent a quarter less processor time on a first batch (docs/testing.md). The
     * quick compiler alone gets a 48 MB code cache, which the demo's JVM filled in a minute and a half
     * ("CodeCache is full. Compiler has been disabled.") and ran interpreted from then on: the cache
     * of a JVM with both compilers, then.
     */
    public static final List<String> SHORT_RUN = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseParallelGC",
            "-XX:ReservedCodeCacheSize=240m");

    private TestJvm() {
    }

    /**
     * java with Spark's JVM options (those of this test JVM), the heap given, the project's jar and
     * runtime classpath as bin/lakehouse runs them, the CLI and its arguments. Once a class-data
     * archive of a Spark and Delta run exists ({@link ClassDataArchive}), the JVM maps Spark's classes
     * from it instead of loading them one by one (the suite as a whole did not get measurably faster:
     * BENCHMARKS.md, the test command's third round).
     */
    public static List<String> lakehouse(String heap, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(sparkOptions());
        command.addAll(SHORT_RUN);
        command.addAll(ClassDataArchive.options());
        // the broker JVM's classpath, as bin/lakehouse passes it
        command.add("-Dshoplake.kafka.classpath.file=" + System.getProperty("shoplake.kafka.classpath.file"));
        command.addAll(List.of("-Xmx" + heap, "-cp", appClasspath(), "dev.shoplake.cli.Lakehouse"));
        command.addAll(List.of(args));
        return command;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The JVM options Spark needs, as this test JVM was given them. */
    static List<String> sparkOptions() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                        || a.startsWith("-Djdk.") || a.startsWith("-Dio.netty") || a.startsWith("-Duser.timezone"))
                .toList();
    }

    /**
     * The project's jar and its runtime dependencies (bin/lakehouse's classpath): jars only, as a
     * class-data archive needs; this test JVM's own classpath when the build did not package yet.
     */
    static String appClasspath() {
        String jar = System.getProperty("shoplake.jar");
        String deps = System.getProperty("shoplake.app.classpath.file");
        if (jar == null || deps == null || !java.nio.file.Files.isRegularFile(Path.of(jar))) {
            return System.getProperty("java.class.path");
        }
        try {
            return jar + java.io.File.pathSeparator + java.nio.file.Files.readString(Path.of(deps)).trim();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Writes the settings a CLI JVM reads with {@code --config}, with Spark sized for a test on this
     * machine (two cores, two shuffle partitions, no UI, no
     * adaptive execution, no code generation: as conf/local.properties).
     */
    public static java.nio.file.Path configFile(dev.shoplake.config.Settings settings, java.nio.file.Path file)
            throws java.io.IOException {
        java.util.Properties props = new java.util.Properties();
        props.putAll(settings.asMap());
        props.putAll(java.util.Map.of("spark.master", "local[2]", "spark.sql.shuffle.partitions", "2",
                "spark.databricks.delta.snapshotPartitions", "1", "spark.ui.enabled", "false",
                "spark.sql.adaptive.enabled", "false", "spark.sql.codegen.wholeStage", "false",
                "spark.sql.codegen.factoryMode", "NO_CODEGEN"));
        try (var out = java.nio.file.Files.newOutputStream(file)) {
            props.store(out, null);
        }
        return file;
    }

    /** The newest batch id in a streaming checkpoint's offsets/ or commits/ directory, -1 when none. */
    public static long lastBatch(java.nio.file.Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(dir)) {
            return -1;
        }
        try (var files = java.nio.file.Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .mapToLong(Long::parseLong).max().orElse(-1);
        }
    }
}
