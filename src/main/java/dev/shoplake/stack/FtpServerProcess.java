package dev.shoplake.stack;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfiguration;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.SaltedPasswordEncryptor;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * A real FTP server (Apache MINA FtpServer) on 127.0.0.1 whose one user owns a directory under the
 * stack directory. With TLS on it speaks explicit FTPS (AUTH TLS) with a self-signed certificate
 * for 127.0.0.1, and writes the trust store clients need next to it.
 */
final class FtpServerProcess implements AutoCloseable {
    private final FtpServer server;

    private FtpServerProcess(FtpServer server) {
        this.server = server;
    }

    /** The trust store (no secret in it: one public certificate) that FTPS clients of the stack use. */
    static Path truststore(Path stackDir) {
        return stackDir.resolve("ftp-tls").resolve("truststore.p12");
    }

    static FtpServerProcess start(LakehouseConfig.Ftp config, Path dir, boolean tls) throws IOException {
        Ports.requireFree(config.port(), "the FTP server (spark.lakehouse.ftp.port)");
        Path home = dir.resolve("ftp");
        Files.createDirectories(home);
        FtpServerFactory factory = new FtpServerFactory();
        ListenerFactory listener = new ListenerFactory();
        listener.setServerAddress("127.0.0.1");
        listener.setPort(config.port());
        listener.setIdleTimeout(300);
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setPassiveAddress("127.0.0.1");
        data.setPassiveExternalAddress("127.0.0.1");
        if (tls) {
            SslConfiguration ssl = selfSignedTls(dir.resolve("ftp-tls"));
            listener.setSslConfiguration(ssl);
            listener.setImplicitSsl(false);
            data.setSslConfiguration(ssl);
        }
        listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        factory.addListener("default", listener.createListener());
        ConnectionConfigFactory connections = new ConnectionConfigFactory();
        connections.setAnonymousLoginEnabled(false);
        connections.setMaxLogins(64);
        factory.setConnectionConfig(connections.createConnectionConfig());

        PropertiesUserManagerFactory users = new PropertiesUserManagerFactory();
        Path usersFile = dir.resolve("ftp-users.properties");
        Files.deleteIfExists(usersFile);
        Files.createFile(usersFile);
        users.setFile(usersFile.toFile());
        users.setPasswordEncryptor(new SaltedPasswordEncryptor());
        UserManager userManager = users.createUserManager();
        BaseUser user = new BaseUser();
        user.setName(config.user());
        user.setPassword(config.requirePassword());
        user.setHomeDirectory(home.toAbsolutePath().toString());
        user.setAuthorities(List.of(new WritePermission()));
        FtpServer server;
        try {
            userManager.save(user);
            factory.setUserManager(userManager);
            server = factory.createServer();
            server.start();
        } catch (FtpException | RuntimeException e) {
            throw new UnreachableException("the FTP server could not start on 127.0.0.1:" + config.port() + ": "
                    + e.getMessage(), e);
        }
        return new FtpServerProcess(server);
    }

    /** A fresh self-signed certificate for 127.0.0.1 each start, made with the JDK's keytool. */
    private static SslConfiguration selfSignedTls(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path truststore = dir.resolve("truststore.p12");
        for (Path p : List.of(keystore, cert, truststore)) {
            Files.deleteIfExists(p);
        }
        String storePassword = UUID.randomUUID().toString();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "ftp", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", storePassword);
        run(keytool, "-exportcert", "-alias", "ftp", "-rfc", "-keystore", keystore.toString(),
                "-storepass", storePassword, "-file", cert.toString());
        // a trust store holds only a public certificate: written without encryption or MAC, readable with no password
        run(keytool, "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE", "-J-Dkeystore.pkcs12.macAlgorithm=NONE",
                "-importcert", "-noprompt", "-alias", "ftp", "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", "public-cert-only", "-file", cert.toString());
        SslConfigurationFactory ssl = new SslConfigurationFactory();
        ssl.setKeystoreFile(keystore.toFile());
        ssl.setKeystoreType("PKCS12");
        ssl.setKeystorePassword(storePassword);
        ssl.setKeyPassword(storePassword);
        ssl.setSslProtocol("TLSv1.3", "TLSv1.2");
        return ssl.createSslConfiguration();
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
