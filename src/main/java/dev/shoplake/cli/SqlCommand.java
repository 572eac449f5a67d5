package dev.shoplake.cli;

import dev.shoplake.config.ConfigException;
import dev.shoplake.query.SqlShell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse sql}: Spark SQL over the lake's tables by name, like Spark's spark-sql. */
@Command(name = "sql", description = "Spark SQL over the lake by name (gold.fact_sales, ...): an interactive prompt, "
        + "-e \"query\" or -f file.sql. Statements end with ';'.")
final class SqlCommand implements Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "-e", description = "Run these statements and exit.")
    String execute;

    @Option(names = "-f", description = "Run the statements of this file and exit.")
    Path file;

    @Option(names = {"-d", "--define"}, description = "A value for the named parameter :name (name=value, repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--max-rows", description = "Rows printed per result (default: ${DEFAULT-VALUE}).",
            defaultValue = "1000")
    int maxRows;

    @Override
    public Integer call() throws IOException {
        if (execute != null && file != null) {
            throw new ConfigException("sql takes -e or -f, not both");
        }
        String script = execute;
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new ConfigException("cannot read SQL file " + file);
            }
            script = Files.readString(file, StandardCharsets.UTF_8);
        }
        String text = script;
        return parent.withLake("shoplake-sql", (spark, config) -> {
            spark.sparkContext().setLogLevel("ERROR"); // the shell prints its own one-line errors
            Map<String, String> defined = new LinkedHashMap<>(params);
            // the dashboard queries' alert level, as the stream's setting says
            defined.putIfAbsent("stock_alert_below", String.valueOf(config.streaming().stockAlertBelow()));
            SqlShell shell = new SqlShell(spark, System.out, System.err, defined, maxRows);
            if (text != null) {
                return shell.runScript(text) ? 0 : 1;
            }
            System.out.println("shoplake SQL on " + config.lakeRoot() + ": tables by name (SHOW TABLES IN gold;), "
                    + "statements end with ';', quit; or Ctrl-D to leave.");
            try {
                shell.interactive(System.in, Path.of(System.getProperty("user.home"), ".shoplake_sql_history"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return 0;
        });
    }
}
