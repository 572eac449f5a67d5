package dev.shoplake.serve;

import dev.shoplake.config.ConfigException;
import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connect.client.SparkConnectClient;

/**
 * A thin Spark session on a running {@code lakehouse serve}: the queries run in the server's warm
 * Spark, this JVM only sends them and prints rows, so a look costs a round trip instead of a
 * session start. The token goes as a bearer header: in the URL ({@code ;token=}) the JVM client
 * would turn TLS on, which a loopback server does not speak.
 */
public final class ConnectClient {
    private static final int ANSWER_MS = 300;

    private ConnectClient() {
    }

    /**
     * A session on the server at {@code url} (sc://host:port) presenting {@code token}, checked with
     * one round trip (which the server spends creating the session the first statement would wait for).
     *
     * @throws dev.shoplake.config.LakehouseException the server refuses the token (a ConfigException), or none answers at {@code url} (one line)
     */
    public static SparkSession open(String url, String token) {
        SparkConnectClient.Builder client = SparkConnectClient.builder().connectionString(url);
        if (token != null && !token.isEmpty()) {
            client = client.option("authorization", "Bearer " + token);
        }
        SparkSession spark = org.apache.spark.sql.connect.SparkSession.builder().client(client.build()).create();
        try {
            spark.version();
            return spark;
        } catch (Exception e) { // the client throws SparkException, a checked exception Scala does not declare
            closeQuietly(spark);
            String why = String.valueOf(e.getMessage());
            if (why.contains("UNAUTHENTICATED")) {
                throw new ConfigException("the server at " + url + " refused the token in "
                        + LakehouseConfig.ENV_CONNECT_TOKEN + " (the one 'lakehouse serve' was started with)", e);
            }
            if (why.contains("UNAVAILABLE")) {
                throw new UnreachableException("no lakehouse serve answers at " + url, e);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private static void closeQuietly(SparkSession spark) {
        try {
            spark.close();
        } catch (Exception ignored) {
            // the session never was: nothing to release
        }
    }

    /**
     * {@code url} when something listens there: asked before a session is made, because the
     * client retries an absent server for minutes before it gives up.
     */
    public static Optional<String> answering(String url) {
        URI uri = URI.create(url);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), ANSWER_MS);
            return Optional.of(url);
        } catch (IOException nobody) {
            return Optional.empty();
        }
    }

    /** Checks a user's {@code --remote} value: sc://host:port, no token in it (it belongs in the environment), answering. */
    public static String checkUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--remote " + url + " is not a URL of the form sc://host:port");
        }
        if (!"sc".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
            throw new ConfigException("--remote " + url + " is not of the form sc://host:port");
        }
        if (url.contains(";")) {
            throw new ConfigException("--remote takes sc://host:port only; the token comes from "
                    + LakehouseConfig.ENV_CONNECT_TOKEN);
        }
        return answering(url).orElseThrow(() -> new UnreachableException("no lakehouse serve answers at " + url));
    }
}
