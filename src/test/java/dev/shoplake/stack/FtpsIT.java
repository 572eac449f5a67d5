package dev.shoplake.stack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.ConfigException;
import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import dev.shoplake.source.report.FtpSession;
import dev.shoplake.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Explicit FTPS (AUTH TLS, PROT P) against a real TLS FTP server. */
@Tag("integration")
class FtpsIT {
    @TempDir
    Path dir;

    @Test
    void uploadsAndDownloadsOverTlsAndRefusesAnUntrustedServerOrWrongPassword() throws Exception {
        Map<String, String> env = TestStack.secrets();
        int port = Ports.free();
        Settings settings = Settings.of(Map.of(
                "spark.lakehouse.ftp.port", String.valueOf(port),
                "spark.lakehouse.ftp.tls", "true",
                "spark.lakehouse.ftp.dir", "/secure",
                "spark.lakehouse.ftp.truststore", FtpServerProcess.truststore(dir).toString()));
        LakehouseConfig config = LakehouseConfig.from(settings, env);
        try (FtpServerProcess server = FtpServerProcess.start(config.ftp(), dir, true)) {
            byte[] content = "Ticket ID\nx\n".getBytes(StandardCharsets.UTF_8);
            try (FtpSession ftp = FtpSession.open(config.ftp())) {
                ftp.upload("a.csv", content);
                assertEquals("a.csv", ftp.list().stream().map(FTPFile::getName).reduce("", String::concat));
                assertArrayEquals(content, ftp.download("a.csv"));
                assertTrue(ftp.delete("a.csv"));
                assertFalse(ftp.delete("a.csv"));
            }
            LakehouseConfig untrusted = LakehouseConfig.from(settings.with("spark.lakehouse.ftp.truststore", ""), env);
            RuntimeException e = assertThrows(UnreachableException.class, () -> FtpSession.open(untrusted.ftp()));
            assertTrue(e.getMessage().startsWith("cannot reach the FTP server at ftpes://127.0.0.1:" + port), e.getMessage());

            LakehouseConfig wrongPassword = LakehouseConfig.from(settings,
                    Map.of(LakehouseConfig.ENV_FTP_PASSWORD, "not-the-password"));
            e = assertThrows(ConfigException.class, () -> FtpSession.open(wrongPassword.ftp()));
            assertTrue(e.getMessage().startsWith("FTP login as support at ftpes://127.0.0.1:" + port + " failed"),
                    e.getMessage());
        }
    }
}
