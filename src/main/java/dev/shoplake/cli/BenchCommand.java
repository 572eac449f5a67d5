package dev.shoplake.cli;

import dev.shoplake.bench.Bench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse bench}: the performance figures, on a shop simulated for the purpose, in its own stack. */
@Command(name = "bench", description = "Benchmark on a freshly simulated shop in its own stack under target/bench: "
        + "--batch (first full run, nothing new in-JVM and as a whole process, one more day, DuckDB on the same rows, "
        + "maintain), --stream (backlog rate; live: latency alone and beside a batch, the dashboard in Chromium). Writes target/bench/result.json and a report.")
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--sf", description = "Scale factor (default: ${DEFAULT-VALUE}).", defaultValue = "0.01")
    double scaleFactor;

    @Option(names = "--days", description = "Simulated days before the first run (default: ${DEFAULT-VALUE}).",
            defaultValue = "30")
    int days;

    @Option(names = "--batch", description = "Benchmark the batch.")
    boolean batch;

    @Option(names = "--stream", description = "Benchmark the stream.")
    boolean stream;

    @Option(names = "--serve", description = "Benchmark lakehouse serve and its thin clients (sql -e, notebooks, "
            + "kernel starts).")
    boolean serve;

    @Option(names = "--repeat", description = "Repetitions of each repeatable phase (default: ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int repeat;

    @Option(names = "--live-seconds", description = "Live phase of --stream (default: ${DEFAULT-VALUE}).",
            defaultValue = "120")
    long liveSeconds;

    @Option(names = "--speed", description = "The live shop's pace in the live phase, as in the demo "
            + "(default: ${DEFAULT-VALUE}x a day's pace).", defaultValue = "288")
    double speed;

    @Option(names = "--batch-beside", description = "Where the live phase's batch runs beside the stream: jvm (in "
            + "the stream's JVM, as the demo), process (lakehouse batch under nice 19, a JVM of its own) or none "
            + "(the stream alone throughout) (default: ${DEFAULT-VALUE}).", defaultValue = "jvm")
    String batchBeside;

    @Override
    public Integer call() throws Exception {
        String dir = "target/bench/stack-sf" + scaleFactor + "-" + days + "d";
        List<String> overrides = List.of("spark.lakehouse.stack.dir=" + dir, "spark.lakehouse.sim.scale-factor=" + scaleFactor,
                "spark.lakehouse.lake.root=" + dir + "/lake");
        parent.options.overrides.addAll(overrides);
        deleteRecursively(Path.of(dir)); // the bench's own scratch stack: every run starts from nothing
        List<String> cliArgs = new ArrayList<>();
        if (parent.options.configFile != null) {
            cliArgs.add("--config=" + parent.options.configFile);
        }
        parent.options.overrides.forEach(o -> cliArgs.add("--conf=" + o));
        Path report = Bench.run(parent.settings(), parent.config(), new Bench.Options(scaleFactor, days, batch, stream, serve,
                Math.max(1, repeat), liveSeconds, speed, batchBeside(), cliArgs, Path.of("target/bench")), Lakehouse::say);
        System.out.print(Files.readString(report));
        Lakehouse.say("report: " + report);
        return 0;
    }

    private Bench.BatchBeside batchBeside() {
        return switch (batchBeside) {
            case "jvm" -> Bench.BatchBeside.JVM;
            case "process" -> Bench.BatchBeside.PROCESS;
            case "none" -> Bench.BatchBeside.NONE;
            default -> throw new dev.shoplake.config.ConfigException("--batch-beside=" + batchBeside
                    + " is not one of jvm, process, none");
        };
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
