package dev.shoplake.notebook;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.query.NamedQueries;
import dev.shoplake.serve.ConnectClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What a notebook needs from the project: a Spark session with every lake table by name, the
 * dashboard's named queries, and small results as HTML tables. The session is a thin one on a
 * running {@code lakehouse serve} (Spark Connect): the kernel has no Spark engine of its own, so it
 * starts in seconds, and every kernel shares the server's warm Spark. The server is the one
 * SHOPLAKE_CONNECT names (sc://host:port; {@code lakehouse notebook} sets it), else the one of
 * {@code conf/local.properties} (found from the notebook's folder) or of SHOPLAKE_CONFIG; the
 * token comes from LAKEHOUSE_CONNECT_TOKEN.
 */
public final class Notebook {
    /** The server a notebook's session uses, as {@code lakehouse notebook} hands it to the kernels. */
    public static final String ENV_CONNECT = "SHOPLAKE_CONNECT";

    private Notebook() {
    }

    public static SparkSession spark() {
        String named = System.getenv(ENV_CONNECT);
        Settings settings = Settings.load(configFile(), Map.of(), List.of());
        LakehouseConfig.Serve serve = LakehouseConfig.from(settings, System.getenv()).serve();
        String url = named != null && !named.isBlank() ? named.strip() : serve.url();
        if (ConnectClient.answering(url).isEmpty()) {
            throw new IllegalStateException("no lakehouse serve answers at " + url + ": open the notebooks with "
                    + "bin/lakehouse notebook (it serves the lake), or start bin/lakehouse serve");
        }
        return ConnectClient.open(url, serve.token());
    }

    private static Path configFile() {
        String named = System.getenv("SHOPLAKE_CONFIG");
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        for (Path p : List.of(Path.of("conf/local.properties"), Path.of("../conf/local.properties"))) {
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    /** A dashboard question (queries/dashboard.sql) for a range of days, as a Dataset. */
    public static Dataset<Row> query(SparkSession spark, String name, String from, String to) {
        NamedQueries.Query q = NamedQueries.dashboard().get(name);
        if (q == null) {
            throw new IllegalArgumentException("no query named " + name + "; there are " + NamedQueries.dashboard().keySet());
        }
        Map<String, Object> params = new java.util.HashMap<>(Map.of("date_from", from, "date_to", to,
                "stock_alert_below", 20));
        return spark.sql(dev.shoplake.query.StatementSplitter.bind(q.sql(), params));
    }

    /** The first {@code max} rows as an HTML table (display("text/html", ...) in the kernel). */
    public static String html(Dataset<Row> df, int max) {
        String[] cols = df.columns();
        StringBuilder out = new StringBuilder("<table><thead><tr>");
        for (String c : cols) {
            out.append("<th>").append(escape(c)).append("</th>");
        }
        out.append("</tr></thead><tbody>");
        List<Row> rows = df.limit(max).collectAsList();
        for (Row r : rows) {
            out.append("<tr>");
            for (int i = 0; i < cols.length; i++) {
                Object v = r.get(i);
                boolean number = v instanceof Number;
                out.append(number ? "<td style=\"text-align:right\">" : "<td>").append(escape(v == null ? "NULL"
                        : String.valueOf(v))).append("</td>");
            }
            out.append("</tr>");
        }
        return out.append("</tbody></table>").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
