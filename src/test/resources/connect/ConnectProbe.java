import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark Connect client with nothing but the JVM client jar on its classpath, run by the tests as
 * {@code java -cp <client classpath> ConnectProbe.java URL SQL...}: one session, each statement's
 * rows as tab-separated lines after "ROW", a failing statement as one "ERROR" line (the session
 * goes on), its time as "MS"; "SENT" once the server has analysed a query and before it is run. The token, when LAKEHOUSE_CONNECT_TOKEN is set, goes as a bearer header.
 * With PROBE_CLIENTS=N, N clients (each its own connection and session) run the statements at once.
 */
public class ConnectProbe {
    public static void main(String[] args) throws Exception {
        int clients = Integer.parseInt(System.getenv().getOrDefault("PROBE_CLIENTS", "1"));
        List<Thread> threads = new java.util.ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                try {
                    run(args);
                } catch (Exception e) {
                    say("ERROR\t" + e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void run(String[] args) throws Exception {
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
                    say("ROW\t" + spark.conf().getOption(args[i].substring(5)).getOrElse(() -> "<unset>"));
                    say("MS\t" + (System.nanoTime() - started) / 1_000_000);
                    continue;
                }
                var query = spark.sql(args[i]); // analysed on the server (eager), not yet run
                say("SENT\t" + args[i]);
                List<Row> rows = query.collectAsList();
                for (Row r : rows) {
                    StringBuilder line = new StringBuilder("ROW");
                    for (int c = 0; c < r.length(); c++) {
                        line.append('\t').append(r.get(c));
                    }
                    say(line.toString());
                }
            } catch (Exception e) {
                String m = String.valueOf(e.getMessage());
                say("ERROR\t" + m.lines().findFirst().orElse(""));
            }
            say("MS\t" + (System.nanoTime() - started) / 1_000_000);
        }
        spark.close();
    }
}
