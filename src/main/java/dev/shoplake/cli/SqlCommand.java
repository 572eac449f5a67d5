package dev.shoplake.cli;

import dev.shoplake.config.ConfigException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.query.AsOf;
import dev.shoplake.query.SqlShell;
import dev.shoplake.serve.ConnectClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse sql}: Spark SQL over the lake's tables by name, like Spark's spark-sql. */
@Command(name = "sql", description = "Spark SQL over the lake by name (gold.fact_sales, ...): an interactive prompt, "
        + "-e \"query\" or -f file.sql. Statements end with ';'.")
final class SqlCommand implements Callable<Integer> {
    @ParentCommand
    SqlHost parent;

    @Option(names = "-e", description = "Run these statements and exit.")
    String execute;

    @Option(names = "-f", description = "Run the statements of this file and exit.")
    Path file;

    @Option(names = {"-d", "--define"}, description = "A value for the named parameter :name (name=value, repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--max-rows", description = "Rows printed per result (default: ${DEFAULT-VALUE}).",
            defaultValue = "1000")
    int maxRows;

    @Option(names = "--remote", paramLabel = "sc://host:port", description = "Run on this lakehouse serve (Spark Connect) "
            + "instead of a Spark of its own; the token comes from LAKEHOUSE_CONNECT_TOKEN. Default from bin/lakehouse: the "
            + "configured server (spark.lakehouse.serve.*) when it answers, else a local session; under spark-submit: the "
            + "application's own Spark.")
    String remote;

    @Option(names = "--as-of", paramLabel = "moment", description = "Read the warehouse as it was then: every lake table "
            + "a query reads, TIMESTAMP AS OF this moment (2026-11-30, '2026-11-30 12:00:00', 2026-11-30T12:00:00Z; UTC).")
    String asOf;

    @Option(names = "--versions", paramLabel = "table", description = "List a table's versions (each readable with "
            + "VERSION AS OF or --as-of its moment) and exit.")
    String versionsOf;

    @Option(names = "--local", description = "Always start a Spark of its own, even when a server answers.")
    boolean local;

    @Override
    public Integer call() throws IOException {
        if (execute != null && file != null) {
            throw new ConfigException("sql takes -e or -f, not both");
        }
        if (versionsOf != null && (execute != null || file != null)) {
            throw new ConfigException("sql --versions lists a table's versions; it takes no -e or -f");
        }
        String script = execute;
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new ConfigException("cannot read SQL file " + file);
            }
            script = Files.readString(file, StandardCharsets.UTF_8);
        }
        String text = script;
        String moment = asOf == null ? null : AsOf.moment(asOf); // a mistake costs a second, not a session
        if (remote != null && local) {
            throw new ConfigException("sql takes --remote or --local, not both");
        }
        LakehouseConfig config = parent.config();
        String server = remote != null ? ConnectClient.checkUrl(remote)
                : local || !parent.usesConfiguredServer() ? null : ConnectClient.answering(config.serve().url()).orElse(null);
        if (server != null) { // a warm Spark runs the statements: this JVM starts no Spark of its own
            SparkSession spark = ConnectClient.open(server, config.serve().token());
            try {
                return shell(spark, config, text, moment, server + " (lakehouse serve)");
            } finally {
                spark.close();
            }
        }
        return parent.withLake("shoplake-sql", (spark, lake) -> {
            spark.sparkContext().setLogLevel("ERROR"); // the shell prints its own one-line errors
            return shell(spark, lake, text, moment, lake.lakeRoot().toString());
        });
    }

    private int shell(SparkSession spark, LakehouseConfig config, String text, String moment, String where) {
        Map<String, String> defined = new LinkedHashMap<>(params);
        // the dashboard queries' alert level, as the stream's setting says
        defined.putIfAbsent("stock_alert_below", String.valueOf(config.streaming().stockAlertBelow()));
        SqlShell shell = new SqlShell(spark, System.out, System.err, defined, maxRows);
        if (moment != null) {
            shell.asOf(moment, LakeTables.all().stream().map(TableSpec::qualifiedName).collect(Collectors.toSet()));
            where += ", as of " + moment + " UTC";
        }
        if (versionsOf != null) {
            return shell.versions(versionsOf) ? 0 : 1;
        }
        if (text != null) {
            return shell.runScript(text) ? 0 : 1;
        }
        System.out.println("shoplake SQL on " + where + ": tables by name (SHOW TABLES IN gold;), "
                + "statements end with ';', quit; or Ctrl-D to leave.");
        try {
            shell.interactive(System.in, Path.of(System.getProperty("user.home"), ".shoplake_sql_history"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return 0;
    }
}
