package dev.shoplake.testing;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A command line that runs the project's CLI in a JVM of its own, as an operator would. */
public final class TestJvm {
    private TestJvm() {
    }

    /** java with Spark's JVM options (those of this test JVM), the heap given, this classpath, the CLI and its arguments. */
    public static List<String> lakehouse(String heap, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                        || a.startsWith("-Djdk.") || a.startsWith("-Dio.netty") || a.startsWith("-Duser.timezone"))
                .toList());
        // the broker JVM's classpath, as bin/lakehouse passes it
        command.add("-Dshoplake.kafka.classpath.file=" + System.getProperty("shoplake.kafka.classpath.file"));
        command.addAll(List.of("-Xmx" + heap, "-cp", System.getProperty("java.class.path"), "dev.shoplake.cli.Lakehouse"));
        command.addAll(List.of(args));
        return command;
    }
}
