package dev.shoplake.bench;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A phase of the bench: what it measures goes into the run's one result and one report. */
abstract class BenchPhase {
    protected final Settings settings;
    protected final LakehouseConfig config;
    protected final Bench.Options options;
    protected final BenchResult result;
    protected final StringBuilder report;
    protected final Consumer<String> say;

    BenchPhase(Settings settings, LakehouseConfig config, Bench.Options options, BenchResult result,
               StringBuilder report, Consumer<String> say) {
        this.settings = settings;
        this.config = config;
        this.options = options;
        this.result = result;
        this.report = report;
        this.say = say;
    }

    /**
     * The command line of {@code lakehouse <args>} in a JVM of its own, as a user or a scheduler
     * starts it: through {@code bin/lakehouse} where the bench runs from a checkout (its JVM flags
     * and class-data archive), otherwise with this JVM's command line; with the bench's settings.
     */
    protected List<String> lakehouseCommand(String... args) {
        List<String> command = new ArrayList<>();
        Path script = Path.of("bin", "lakehouse");
        if (Files.isExecutable(script)) {
            command.add(script.toString());
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("dev.shoplake.cli.Lakehouse");
        }
        command.addAll(options.cliArgs());
        command.addAll(List.of(args));
        return command;
    }

    /** {@code bin/lakehouse} as the bench runs it: from a checkout, where its class-data archive is recorded. */
    protected static boolean fromCheckout() {
        return Files.isExecutable(Path.of("bin", "lakehouse"));
    }
}
