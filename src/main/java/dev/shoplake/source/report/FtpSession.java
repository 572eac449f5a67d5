package dev.shoplake.source.report;

import dev.shoplake.config.ConfigException;
import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;

/**
 * One logged-in connection to the report FTP server: plain FTP, or explicit FTPS (AUTH TLS) with a
 * protected data channel when {@code spark.lakehouse.ftp.tls=true}. Passive mode, binary transfers.
 */
public final class FtpSession implements AutoCloseable {
    private final LakehouseConfig.Ftp config;
    private final FTPClient client;

    private FtpSession(LakehouseConfig.Ftp config, FTPClient client) {
        this.config = config;
        this.client = client;
    }

    public static FtpSession open(LakehouseConfig.Ftp config) {
        FTPClient client = config.tls() ? tlsClient(config) : new FTPClient();
        client.setConnectTimeout(config.timeoutMillis());
        client.setDefaultTimeout(config.timeoutMillis());
        String where = (config.tls() ? "ftpes://" : "ftp://") + config.host() + ":" + config.port();
        try {
            client.connect(config.host(), config.port());
            client.setTcpNoDelay(true); // small command/reply packets otherwise stall on delayed ACKs
            if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
                throw new UnreachableException("FTP server at " + where + " refused the connection: " + reply(client));
            }
            if (!client.login(config.user(), config.requirePassword())) {
                throw new ConfigException("FTP login as " + config.user() + " at " + where + " failed: " + reply(client));
            }
            if (client instanceof FTPSClient ftps) {
                ftps.execPBSZ(0);
                ftps.execPROT("P");
            }
            client.enterLocalPassiveMode();
            client.setFileType(FTP.BINARY_FILE_TYPE);
            FtpSession session = new FtpSession(config, client);
            session.ensureDirectory();
            return session;
        } catch (IOException e) {
            disconnect(client);
            throw new UnreachableException("cannot reach the FTP server at " + where
                    + " (spark.lakehouse.ftp.host/port): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            disconnect(client);
            throw e;
        }
    }

    private static FTPSClient tlsClient(LakehouseConfig.Ftp config) {
        FTPSClient ftps = new FTPSClient(false);
        ftps.setEndpointCheckingEnabled(true);
        // commons-net's default only checks the certificate's dates; validate the chain, always
        KeyStore store = null;
        if (!config.truststore().isEmpty()) {
            try (InputStream in = Files.newInputStream(Path.of(config.truststore()))) {
                store = KeyStore.getInstance("PKCS12");
                store.load(in, null);
            } catch (IOException | GeneralSecurityException e) {
                throw new ConfigException("cannot read the FTP trust store " + config.truststore()
                        + " (spark.lakehouse.ftp.truststore): " + e.getMessage(), e);
            }
        }
        try {
            ftps.setTrustManager(TrustManagerUtils.getDefaultTrustManager(store));
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot set up TLS for the FTP server: " + e.getMessage(), e);
        }
        return ftps;
    }

    private void ensureDirectory() throws IOException {
        if (!client.changeWorkingDirectory(config.dir())) {
            client.makeDirectory(config.dir());
            if (!client.changeWorkingDirectory(config.dir())) {
                throw new UnreachableException("FTP directory " + config.dir() + " (spark.lakehouse.ftp.dir) is not usable: "
                        + reply(client));
            }
        }
    }

    /** Uploads under a temporary name and renames, so a reader never sees half a file. */
    public void upload(String name, byte[] content) throws IOException {
        String partial = "." + name + ".part";
        if (!client.storeFile(partial, new ByteArrayInputStream(content))) {
            throw new IOException("upload of " + name + " failed: " + reply(client));
        }
        client.deleteFile(name); // rename does not replace on every server
        if (!client.rename(partial, name)) {
            throw new IOException("rename of " + partial + " to " + name + " failed: " + reply(client));
        }
    }

    /** Deletes {@code name}; false when it was not there. */
    public boolean delete(String name) throws IOException {
        return client.deleteFile(name);
    }

    /** Regular files in the report directory, with sizes. */
    public List<FTPFile> list() throws IOException {
        List<FTPFile> files = new ArrayList<>();
        for (FTPFile f : client.listFiles()) {
            if (f != null && f.isFile() && !f.getName().startsWith(".")) {
                files.add(f);
            }
        }
        return files;
    }

    public byte[] download(String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!client.retrieveFile(name, out)) {
            throw new IOException("download of " + name + " failed: " + reply(client));
        }
        return out.toByteArray();
    }

    private static String reply(FTPClient client) {
        String r = client.getReplyString();
        return r == null ? "no reply" : r.trim();
    }

    private static void disconnect(FTPClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
        } catch (IOException ignored) {
            // already failing; the first error is the one to report
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.logout();
            }
        } catch (IOException ignored) {
            // the session is over either way
        } finally {
            disconnect(client);
        }
    }
}
