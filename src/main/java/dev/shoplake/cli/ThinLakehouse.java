package dev.shoplake.cli;

import dev.shoplake.config.LakehouseConfig;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code lakehouse sql} as a thin client: a JVM with only the Spark Connect client on its
 * classpath (no Spark engine), which bin/lakehouse tries first, so a look at the warehouse costs a
 * round trip to the running {@code lakehouse serve} instead of a Spark start. When no server answers
 * it exits {@link #NEEDS_LOCAL_SPARK} before reading anything, and bin/lakehouse runs the full one.
 */
@Command(name = "lakehouse", subcommands = SqlCommand.class,
        description = "shoplake's sql command on a running lakehouse serve (the full command line: bin/lakehouse).")
public final class ThinLakehouse implements SqlHost {
    /** The exit code that tells bin/lakehouse to run the command with a Spark of its own. */
    static final int NEEDS_LOCAL_SPARK = 3;

    @CommandLine.Mixin
    ConfigOptions options = new ConfigOptions();

    private final Map<String, String> env;

    ThinLakehouse(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public LakehouseConfig config() {
        return LakehouseConfig.from(options.settings(), env);
    }

    @Override
    public boolean usesConfiguredServer() {
        return true;
    }

    @Override
    public <T> T withLake(String appName, BiFunction<SparkSession, LakehouseConfig, T> work) {
        throw new NeedsLocalSpark();
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), new PrintWriter(System.err, true), args));
    }

    static int run(Map<String, String> env, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new ThinLakehouse(env));
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) ->
                e instanceof NeedsLocalSpark ? NEEDS_LOCAL_SPARK : OneLineErrors.oneLine(e, cmd, parsed));
        return cli.execute(args);
    }

    /** No server to use: the statements need a Spark of this process's own. */
    static final class NeedsLocalSpark extends RuntimeException {
        NeedsLocalSpark() {
            super("no lakehouse serve answers; this needs the full command line", null, false, false);
        }
    }
}
