package dev.shoplake.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.source.db.ShopDatabase;
import dev.shoplake.source.db.SourceErd;
import dev.shoplake.testing.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** diagrams/source_erd.md is what the migrations build, read back from the database's catalog. */
@Tag("integration")
class SourceErdIT {
    @Test
    void theCommittedSourceErdIsTheMigratedDatabase() throws Exception {
        LakehouseConfig config = TestStack.get().freshShop();
        new ShopDatabase(config.postgres()).migrate();
        String erd;
        try (Connection c = DriverManager.getConnection(config.postgres().url(), config.postgres().user(),
                config.postgres().requirePassword())) {
            erd = SourceErd.generate(c);
        }
        assertTrue(erd.contains("customers ||--o{ addresses : customer_id"), erd);
        assertTrue(erd.contains("int4 id PK"), erd);
        assertEquals(erd, Files.readString(Path.of("diagrams/source_erd.md")),
                "diagrams/source_erd.md is stale: write 'bin/lakehouse tables --source-erd' into it");
    }
}
