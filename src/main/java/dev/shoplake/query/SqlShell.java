package dev.shoplake.query;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * Spark SQL over the lake, in the manner of Spark's own {@code spark-sql}: statements end with
 * {@code ;} and may span lines; results print as aligned tables; a failing statement prints one
 * line (no stack trace) and, at the prompt, the session goes on. Named parameters ({@code :name})
 * take the values given with {@code -d name=value}.
 */
public final class SqlShell {
    private final SparkSession spark;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, Object> params;
    private final int maxRows;
    private UnaryOperator<String> reading = UnaryOperator.identity();

    public SqlShell(SparkSession spark, PrintStream out, PrintStream err, Map<String, String> params, int maxRows) {
        this.spark = spark;
        this.out = out;
        this.err = err;
        this.params = new LinkedHashMap<>(params);
        this.maxRows = maxRows;
    }

    /** From now on every query reads the warehouse as it was at {@code moment} (see {@link AsOf}). */
    public SqlShell asOf(String moment, Set<String> tables) {
        reading = new AsOfReader(spark, tables, moment)::rewrite;
        return this;
    }

    /**
     * Prints a table's versions, newest first: the moment of each commit, what wrote it and how
     * many rows; any of them can be read back with VERSION AS OF or TIMESTAMP AS OF.
     */
    public boolean versions(String table) {
        long started = System.nanoTime();
        try {
            Dataset<Row> history = spark.sql("DESCRIBE HISTORY " + table);
            Column metrics = functions.col("operationMetrics");
            return print(history.select(functions.col("version"), functions.col("timestamp"), functions.col("operation"),
                    functions.coalesce(metrics.getItem("numOutputRows"), metrics.getItem("numTargetRowsInserted"))
                            .cast("long").as("rows_written"),
                    metrics.getItem("numTargetRowsUpdated").cast("long").as("rows_updated"),
                    metrics.getItem("numTargetRowsDeleted").cast("long").as("rows_deleted"))
                    .orderBy(functions.col("version").desc()), started);
        } catch (Exception e) {
            err.println("error: " + dev.shoplake.ops.JobRun.errorLine(e));
            return false;
        }
    }

    /** Runs a script (-e or -f): stops at the first failing statement. True when all succeeded. */
    public boolean runScript(String text) {
        for (String statement : StatementSplitter.script(text)) {
            if (!execute(statement)) {
                return false;
            }
        }
        return true;
    }

    /** Runs one statement and prints its result, or one error line. True when it succeeded. */
    public boolean execute(String statement) {
        long started = System.nanoTime();
        try {
            return print(spark.sql(reading.apply(StatementSplitter.bind(statement, params))), started);
        } catch (Exception e) {
            err.println("error: " + dev.shoplake.ops.JobRun.errorLine(e));
            return false;
        }
    }

    private boolean print(Dataset<Row> result, long started) {
        List<StructField> fields = List.of(result.schema().fields());
        if (fields.isEmpty()) {
            result.collectAsList(); // a command: run it
            out.printf("OK (%.1f s)%n", seconds(started));
            return true;
        }
        // every value as Spark prints it (session time zone, decimals exact, arrays and maps readable)
        Column[] asText = fields.stream().map(f -> functions.col("`" + f.name().replace("`", "``") + "`")
                .cast("string")).toArray(Column[]::new);
        List<Row> rows = result.select(asText).limit(maxRows + 1).collectAsList();
        boolean more = rows.size() > maxRows;
        List<List<String>> cells = new ArrayList<>();
        for (Row r : rows.subList(0, Math.min(rows.size(), maxRows))) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < fields.size(); i++) {
                line.add(r.getString(i));
            }
            cells.add(line);
        }
        out.print(ResultTable.format(fields.stream().map(StructField::name).toList(),
                fields.stream().map(f -> f.dataType() instanceof NumericType).toList(), cells));
        out.printf("%s (%.1f s)%n", more ? "first " + maxRows + " rows" : cells.size() + (cells.size() == 1
                ? " row" : " rows"), seconds(started));
        return true;
    }

    /** Reads statements from a prompt until EOF, quit or exit. */
    public void interactive(InputStream in, Path historyFile) throws IOException {
        LineSource lines = LineSource.open(in, out, historyFile);
        StringBuilder buffer = new StringBuilder();
        try {
            while (true) {
                String line = lines.read(buffer.isEmpty() ? "shoplake-sql> " : "            > ");
                if (line == null) {
                    break;
                }
                buffer.append(line).append('\n');
                StatementSplitter.Split split = StatementSplitter.split(buffer.toString());
                buffer.setLength(0);
                if (!StatementSplitter.withoutComments(split.rest()).isBlank()) {
                    buffer.append(split.rest());
                }
                for (String statement : split.statements()) {
                    String word = statement.toLowerCase(java.util.Locale.ROOT);
                    if (word.equals("quit") || word.equals("exit")) {
                        return;
                    }
                    execute(statement);
                }
            }
        } finally {
            lines.close();
        }
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Where prompt lines come from: JLine (history, editing) on a terminal, plain lines otherwise. */
    interface LineSource extends AutoCloseable {
        String read(String prompt) throws IOException;

        @Override
        void close() throws IOException;

        static LineSource open(InputStream in, PrintStream out, Path historyFile) {
            if (in == System.in && System.console() != null) {
                try {
                    return JLineSource.open(historyFile);
                } catch (LinkageError | RuntimeException | IOException noJLine) {
                    // spark-submit on a cluster whose classpath lacks or shadows JLine: plain lines still work
                }
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return new LineSource() {
                @Override
                public String read(String prompt) throws IOException {
                    out.print(prompt);
                    out.flush();
                    return reader.readLine();
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
