import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark Connect client with nothing but the JVM client jar on its classpath, run by the tests as
 * {@code java -cp <client classpath> ConnectProbe.java URL SQL...}: one session, each statement's
 * rows as tab-separated lines after "ROW", a failing statement as one "ERROR" line (the session
 * goes on), its time as "MS"; "SENT" before a query goes to the server. The token, when LAKEHOUSE_CONNECT_TOKEN is set, goes as a bearer header.
 */
public class ConnectProbe {
    public static void main(String[] args) throws Exception {
        String token = System.getenv("LAKEHOUSE_CONNECT_TOKEN");
        var builder = org.apache.spark.sql.connect.client.SparkConnectClient.builder().connectionString(args[0]);
        if (token != null && !token.isEmpty()) {
            builder = builder.option("authorization", "Bearer " + token);
        }
        SparkSession spark = org.apache.spark.sql.connect.SparkSession.builder().client(builder.build()).create();
        for (int i = 1; i < args.length; i++) {
            long started = System.nanoTime();
            try {
                if (args[i].startsWith("CONF ")) { // what spark.conf says of a key, as any client may ask
                    System.out.println("ROW\t" + spark.conf().getOption(args[i].substring(5)).getOrElse(() -> "<unset>"));
                    System.out.println("MS\t" + (System.nanoTime() - started) / 1_000_000);
                    continue;
                }
                System.out.println("SENT\t" + args[i]);
                System.out.flush();
                List<Row> rows = spark.sql(args[i]).collectAsList();
                for (Row r : rows) {
                    StringBuilder line = new StringBuilder("ROW");
                    for (int c = 0; c < r.length(); c++) {
                        line.append('\t').append(r.get(c));
                    }
                    System.out.println(line);
                }
            } catch (Exception e) {
                String m = String.valueOf(e.getMessage());
                System.out.println("ERROR\t" + m.lines().findFirst().orElse(""));
            }
            System.out.println("MS\t" + (System.nanoTime() - started) / 1_000_000);
        }
        spark.close();
    }
}
