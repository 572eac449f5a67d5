package dev.shoplake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed docs are the ones LakeTables generates: change a table, regenerate its docs. */
class TableDocsTest {
    @Test
    void theReadmeListsEveryTableAsDefined() throws Exception {
        assertTrue(Files.readString(Path.of("README.md")).contains(TableDocs.tableList()),
                "README.md's table list is stale: paste the output of 'bin/lakehouse tables'");
    }

    @Test
    void theStarSchemaDiagramIsGeneratedFromTheSpecs() throws Exception {
        assertEquals(TableDocs.goldErd(), Files.readString(Path.of("diagrams/gold_star_schema.md")),
                "diagrams/gold_star_schema.md is stale: write 'bin/lakehouse tables --erd' into it");
    }

    @Test
    void thePipelineDiagramIsGeneratedFromTheSpecs() throws Exception {
        assertEquals(TableDocs.pipeline(), Files.readString(Path.of("diagrams/pipeline.md")),
                "diagrams/pipeline.md is stale: write 'bin/lakehouse tables --pipeline' into it");
        for (TableSpec spec : LakeTables.all()) {
            assertTrue(TableDocs.pipeline().contains("\"" + spec.qualifiedName() + "\""), spec.qualifiedName()
                    + " is in the pipeline");
        }
    }

    @Test
    void everyGoldAndOpsTableDeclaresItsColumnsWithNotNullKeys() {
        for (TableSpec spec : LakeTables.all()) {
            if (spec.layer().equals("gold") || spec.layer().equals("ops")) {
                assertTrue(spec.schema() != null, spec.qualifiedName() + " has a declared schema");
                for (String key : spec.keys()) {
                    assertEquals(false, spec.schema().apply(key).nullable(), spec.qualifiedName() + "." + key + " is NOT NULL");
                }
                for (String p : spec.partitionBy()) {
                    assertTrue(java.util.Arrays.asList(spec.schema().fieldNames()).contains(p), p + " is a column");
                }
            }
        }
    }
}
