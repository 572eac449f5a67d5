package dev.shoplake.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class ModelInputsLedgerTest {
    private static final List<Row> ROWS = List.of(
            RowFactory.create("silver", "bronze.orders", 12L, "run-1", Timestamp.from(Instant.parse("2026-12-01T10:15:30.123Z"))),
            RowFactory.create("gold", "silver.sales", 0L, "run-2", Timestamp.from(Instant.parse("2026-12-02T00:00:00Z"))));

    @Test
    void theRowsComeBackFromTheNoteAsTheyWereWritten() {
        assertEquals(Optional.of(ROWS), ModelInputsLedger.decode(ModelInputsLedger.encode(ROWS)));
        assertEquals(Optional.of(List.of()), ModelInputsLedger.decode(ModelInputsLedger.encode(List.of())));
    }

    @Test
    void aNoteOfAnythingElseIsNoLedger() {
        assertEquals(Optional.empty(), ModelInputsLedger.decode("nightly rebuild by hand"));
        assertEquals(Optional.empty(), ModelInputsLedger.decode("{\"rows\": []}"));
        assertEquals(Optional.empty(), ModelInputsLedger.decode("{\"format\": \"" + ModelInputsLedger.FORMAT + "\"}"));
    }

    @Test
    void aDamagedLedgerIsNoLedgerSoTheTableIsReadInstead() {
        String head = "{\"format\": \"" + ModelInputsLedger.FORMAT + "\", \"rows\": [";
        assertEquals(Optional.empty(), ModelInputsLedger.decode(head + "{\"layer\": \"gold\"}]}"));
        assertEquals(Optional.empty(), ModelInputsLedger.decode(head + "{\"layer\": \"gold\", \"input_table\": \"silver.sales\","
                + " \"input_version\": \"seven\", \"run_id\": \"r\", \"recorded_at\": \"2026-12-02T00:00:00Z\"}]}"));
        assertEquals(Optional.empty(), ModelInputsLedger.decode(head + "{\"layer\": \"gold\", \"input_table\": \"silver.sales\","
                + " \"input_version\": 7, \"run_id\": \"r\", \"recorded_at\": \"yesterday\"}]}"));
    }
}
