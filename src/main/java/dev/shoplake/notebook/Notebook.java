package dev.shoplake.notebook;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.lake.LakeSession;
import dev.shoplake.query.NamedQueries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What a notebook needs from the project: a Spark session with every lake table by name, the
 * dashboard's named queries, and small results as HTML tables. The lake is the one of
 * {@code conf/local.properties} (found from the notebook's folder) unless SHOPLAKE_CONFIG names
 * another properties file or SHOPLAKE_LAKE_ROOT another lake.
 */
public final class Notebook {
    private Notebook() {
    }

    public static SparkSession spark() {
        Settings settings = Settings.load(configFile(), Map.of(), List.of());
        String lake = System.getenv("SHOPLAKE_LAKE_ROOT");
        if (lake != null && !lake.isBlank()) {
            settings = settings.with("spark.lakehouse.lake.root", lake);
        } else if (configFile() != null) {
            // a relative lake root is relative to the project, not to the notebook's folder
            String root = settings.asMap().getOrDefault("spark.lakehouse.lake.root", "lake");
            if (!root.contains(":/") && !Path.of(root).isAbsolute()) {
                settings = settings.with("spark.lakehouse.lake.root",
                        configFile().toAbsolutePath().getParent().getParent().resolve(root).toString());
            }
        }
        settings = settings.with("spark.master", "local[2]").with("spark.ui.enabled", "false")
                .with("spark.sql.shuffle.partitions", "2");
        SparkSession spark = LakeSession.open("shoplake-notebook", settings, LakehouseConfig.from(settings, Map.of()));
        spark.sparkContext().setLogLevel("ERROR");
        return spark;
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
