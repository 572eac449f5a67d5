package dev.shoplake.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakehouseConfigTest {
    @TempDir
    Path dir;

    @Test
    void fileSettingsWithCommandLineOverridesOnTopAndSecretsFromTheEnvironment() throws Exception {
        Path file = dir.resolve("x.properties");
        Files.writeString(file, """
                spark.lakehouse.pg.url=jdbc:postgresql://db.example:6543/shop
                spark.lakehouse.sim.seed=1
                spark.lakehouse.kafka.bootstrap-servers=k1:9092,k2:9092
                spark.master=local[2]
                """);
        LakehouseConfig c = LakehouseConfig.from(Settings.load(file, List.of("spark.lakehouse.sim.seed=9")),
                Map.of(LakehouseConfig.ENV_PG_PASSWORD, "s3cret"));
        assertEquals("db.example", c.postgres().host());
        assertEquals(6543, c.postgres().port());
        assertEquals("shop", c.postgres().database());
        assertEquals(9L, c.simulator().seed());
        assertEquals("s3cret", c.postgres().requirePassword());
        assertEquals("k1", c.kafka().host());
        assertEquals(9092, c.kafka().port());
        assertEquals(List.of("shop.store", "shop.checkout", "shop.stock", "shop.website"), c.kafka().topics());
    }

    @Test
    void theShippedLocalConfigLoads() {
        LakehouseConfig c = LakehouseConfig.from(Settings.load(Path.of("conf/local.properties"), List.of()), Map.of());
        assertEquals(54329, c.postgres().port());
        assertEquals(0.01, c.simulator().scaleFactor());
        assertEquals(1, c.simulator().effectiveTicksPerDay());
        assertEquals(Path.of("lake").toAbsolutePath().toString(), c.lakeRoot(), "a local lake root is made absolute");
        assertEquals("s3a://bucket/shoplake", LakehouseConfig.from(Settings.of(Map.of("spark.lakehouse.lake.root",
                "s3a://bucket/shoplake")), Map.of()).lakeRoot());
    }

    @Test
    void secretsNeverShowInToString() {
        LakehouseConfig c = LakehouseConfig.from(Settings.of(Map.of()),
                Map.of(LakehouseConfig.ENV_PG_PASSWORD, "pg-secret-value", LakehouseConfig.ENV_FTP_PASSWORD,
                        "ftp-secret-value"));
        assertFalse(c.toString().contains("secret-value"), c.toString());
    }

    @Test
    void errorsNameTheSettingOrVariable() {
        Settings bad = Settings.of(Map.of("spark.lakehouse.sim.tick-seconds", "soon"));
        ConfigException e = assertThrows(ConfigException.class, () -> LakehouseConfig.from(bad, Map.of()));
        assertEquals("setting spark.lakehouse.sim.tick-seconds=soon is not a whole number", e.getMessage());

        Settings outOfRange = Settings.of(Map.of("spark.lakehouse.sim.checkout-probability", "1.5"));
        e = assertThrows(ConfigException.class, () -> LakehouseConfig.from(outOfRange, Map.of()));
        assertEquals("setting spark.lakehouse.sim.checkout-probability=1.5 is out of range [0.0, 1.0]", e.getMessage());

        LakehouseConfig noSecrets = LakehouseConfig.from(Settings.of(Map.of()), Map.of());
        e = assertThrows(ConfigException.class, () -> noSecrets.postgres().requirePassword());
        assertEquals("environment variable LAKEHOUSE_PG_PASSWORD is not set (the password of shop at "
                + "jdbc:postgresql://127.0.0.1:54329/ecommerce)", e.getMessage());

        e = assertThrows(ConfigException.class, () -> Settings.load(dir.resolve("missing.properties"), List.of()));
        assertEquals("config file " + dir.resolve("missing.properties") + " does not exist or is not readable",
                e.getMessage());

        e = assertThrows(ConfigException.class, () -> Settings.load(null, List.of("no-equals-sign")));
        assertEquals("override 'no-equals-sign' is not of the form key=value", e.getMessage());
    }
}
