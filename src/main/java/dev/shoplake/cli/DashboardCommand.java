package dev.shoplake.cli;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.dashboard.DashboardData;
import dev.shoplake.dashboard.DashboardServer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse dashboard}: serves the dashboard over the lake until Ctrl-C. */
@Command(name = "dashboard", description = "Serve the sales and live dashboard over the gold tables until Ctrl-C.")
final class DashboardCommand implements Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).", defaultValue = "8765")
    int port;

    @Option(names = "--seconds", description = "Stop after this many seconds (0: until Ctrl-C).", defaultValue = "0")
    long seconds;

    @Override
    public Integer call() {
        return parent.withLake("shoplake-dashboard", (spark, config) -> {
            try (DashboardServer server = serve(spark, config, host, port, "")) {
                Lakehouse.say("dashboard: " + server.url() + "  (Ctrl-C stops it)");
                UntilStopped.await(seconds);
            } catch (IOException e) {
                throw new UnreachableException("cannot serve the dashboard on " + host + ":" + port + ": "
                        + e.getMessage(), e);
            }
            return 0;
        });
    }

    static DashboardServer serve(org.apache.spark.sql.SparkSession spark, dev.shoplake.config.LakehouseConfig config,
                                 String host, int port, String banner) throws IOException {
        DashboardData data = new DashboardData(spark, config.lakeRoot(), config.streaming().stockAlertBelow(),
                Duration.ofMillis(250));
        // the range a page opens on by default, computed before anyone looks
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        data.warm(today.minusDays(29), today);
        return DashboardServer.start(data, host, port, banner);
    }
}
