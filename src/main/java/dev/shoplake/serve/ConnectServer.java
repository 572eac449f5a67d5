package dev.shoplake.serve;

import dev.shoplake.config.ConfigException;
import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connect.service.SparkConnectService$;

/**
 * Spark Connect over a lake session: one warm Spark that every client (the JVM client, PySpark,
 * the Spark shell) shares, each in a session of its own that sees every lake table by name and
 * the lake session's settings. Clients must present the pre-shared token as a bearer token.
 *
 * <p>The token is handed to Spark Connect only for the moment it starts: Spark reads it once,
 * when it builds its authentication, and a Spark conf is readable by every client
 * ({@code spark.conf.get}, SPARK-58658), so it is removed from the conf right after.
 */
public final class ConnectServer implements AutoCloseable {
    static final String TOKEN_KEY = "spark.connect.authenticate.token";

    private final LakehouseConfig.Serve serve;

    private ConnectServer(LakehouseConfig.Serve serve) {
        this.serve = serve;
    }

    /**
     * Starts serving {@code spark}'s catalog and settings at {@code serve}'s address.
     *
     * @throws dev.shoplake.config.LakehouseException the token is missing (a ConfigException) or the port is taken (one line for the user)
     */
    public static ConnectServer start(SparkSession spark, LakehouseConfig.Serve serve) {
        String token = serve.requireToken();
        if (SparkConnectService$.MODULE$.started()) {
            throw new IllegalStateException("a Spark Connect server already runs in this JVM");
        }
        checkFree(serve);
        SparkConf conf = SparkEnv.get().conf();
        conf.set("spark.connect.grpc.binding.address", serve.host());
        conf.set("spark.connect.grpc.binding.port", String.valueOf(serve.port()));
        conf.set("spark.connect.grpc.port.maxRetries", "0"); // the port asked for, or an error: never another
        conf.set(TOKEN_KEY, token);
        // a client that went away mid-query (killed, closed its laptop) leaves its query running; Spark
        // cancels it once it has had no client for this long (default 5 minutes of cores spent for no one).
        // The server sees a client gone only when the response stream ends and the client does not
        // reattach: a stream of a query with no rows yet ends after senderMaxStreamDuration (default 2 min)
        conf.setIfMissing("spark.connect.execute.reattachable.senderMaxStreamDuration", "10s");
        conf.setIfMissing("spark.connect.execute.manager.detachedTimeout", "15s");
        conf.setIfMissing("spark.connect.execute.manager.maintenanceInterval", "5s");
        try {
            SparkConnectService$.MODULE$.start(spark.sparkContext());
        } finally {
            conf.remove(TOKEN_KEY);
            spark.sparkContext().conf().remove(TOKEN_KEY); // the conf each new session copies, if it is another
        }
        return new ConnectServer(serve);
    }

    /**
     * What {@link #start} checks, before a command pays for a Spark session: the token is set and the
     * address can be listened on; one line for the user otherwise.
     */
    public static void checkCanStart(LakehouseConfig.Serve serve) {
        serve.requireToken();
        checkFree(serve);
    }

    /** Fails with one line when the address cannot be listened on (a port taken, an address not this machine's). */
    private static void checkFree(LakehouseConfig.Serve serve) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(serve.host(), serve.port()));
        } catch (IOException e) {
            throw new UnreachableException("cannot serve on " + serve.host() + ":" + serve.port() + " (spark.lakehouse.serve.host, "
                    + "spark.lakehouse.serve.port): " + e.getMessage(), e);
        }
    }

    /** The port it listens on (the one configured, or the one picked for port 0). */
    public int port() {
        return SparkConnectService$.MODULE$.localPort();
    }

    /** What a client connects to, without the token. */
    public String url() {
        return "sc://" + serve.host() + ":" + port();
    }

    @Override
    public void close() {
        SparkConnectService$.MODULE$.stop(scala.Option.apply(10L), scala.Option.apply(java.util.concurrent.TimeUnit.SECONDS));
    }
}
