package dev.shoplake.cli;

import dev.shoplake.serve.ConnectServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse serve}: the lake over Spark Connect until Ctrl-C, one warm Spark for every client. */
@Command(name = "serve", description = "Serve the lake over Spark Connect (every table by name, Delta's statements) until "
        + "Ctrl-C; clients present the token in LAKEHOUSE_CONNECT_TOKEN.")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--seconds", description = "Stop after this many seconds (0: until Ctrl-C).", defaultValue = "0")
    long seconds;

    @Override
    public Integer call() {
        // the token and the port are checked before Spark starts: a mistake costs a second, not a session
        dev.shoplake.config.LakehouseConfig.Serve serve = parent.config().serve();
        ConnectServer.checkCanStart(serve);
        return parent.withLake("shoplake-serve", (spark, config) -> {
            try (ConnectServer server = ConnectServer.start(spark, serve)) {
                Lakehouse.say("serving the lake over Spark Connect at " + server.url() + " (Ctrl-C stops it)");
                Lakehouse.say("  connect: " + server.url() + " with the header 'authorization: Bearer $"
                        + dev.shoplake.config.LakehouseConfig.ENV_CONNECT_TOKEN + "' (see README, Spark Connect)");
                UntilStopped.await(seconds);
            }
            return 0;
        });
    }
}
