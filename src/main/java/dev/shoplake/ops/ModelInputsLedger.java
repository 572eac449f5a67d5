package dev.shoplake.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The rows of {@code ops.model_inputs} (which version of each input a layer read through), kept
 * twice in one commit: as the table's rows, for readers in SQL, and as that commit's user metadata
 * (JSON), which the next run reads from the log on the driver instead of reading the table with
 * Spark jobs. When the newest commit carries no ledger (a lake written before, or a commit by
 * something else since), the rows are read.
 */
final class ModelInputsLedger {
    private static final ObjectMapper JSON = dev.shoplake.config.Json.MAPPER;
    /** Names the note's format, so a note of something else is never read as a ledger. */
    static final String FORMAT = "shoplake.model_inputs.v1";

    private ModelInputsLedger() {
    }

    static List<Row> read(DeltaWriter writer) {
        Optional<List<Row>> fromLog = writer.newestCommitNote(LakeTables.OPS_MODEL_INPUTS).flatMap(ModelInputsLedger::decode);
        if (fromLog.isPresent()) {
            return fromLog.get();
        }
        return writer.exists(LakeTables.OPS_MODEL_INPUTS)
                ? DeltaWriter.conform(LakeTables.OPS_MODEL_INPUTS, writer.read(LakeTables.OPS_MODEL_INPUTS)).collectAsList()
                : List.of();
    }

    static void write(SparkSession spark, DeltaWriter writer, List<Row> rows) {
        writer.ensure(LakeTables.OPS_MODEL_INPUTS);
        writer.overwrite(LakeTables.OPS_MODEL_INPUTS, spark.createDataFrame(rows, LakeTables.OPS_MODEL_INPUTS.schema()),
                encode(rows));
    }

    /** Rows in the table's column order: layer, input_table, input_version, run_id, recorded_at. */
    static String encode(List<Row> rows) {
        ObjectNode note = JSON.createObjectNode().put("format", FORMAT);
        ArrayNode out = note.putArray("rows");
        for (Row r : rows) {
            out.addObject().put("layer", r.getString(0)).put("input_table", r.getString(1))
                    .put("input_version", r.getLong(2)).put("run_id", r.getString(3))
                    .put("recorded_at", r.getTimestamp(4).toInstant().toString());
        }
        return note.toString();
    }

    /** The rows of a note {@link #encode} wrote; empty for any other note. */
    static Optional<List<Row>> decode(String note) {
        JsonNode root;
        try {
            root = JSON.readTree(note);
        } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
            return Optional.empty();
        }
        if (root == null || !FORMAT.equals(root.path("format").asText()) || !root.path("rows").isArray()) {
            return Optional.empty();
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode r : root.get("rows")) {
            if (!isWhole(r)) {
                return Optional.empty(); // a damaged note: the table's rows are the truth then
            }
            Instant recordedAt;
            try {
                recordedAt = Instant.parse(r.get("recorded_at").asText());
            } catch (java.time.format.DateTimeParseException damaged) {
                return Optional.empty();
            }
            rows.add(RowFactory.create(r.get("layer").asText(), r.get("input_table").asText(),
                    r.get("input_version").asLong(), r.get("run_id").asText(), Timestamp.from(recordedAt)));
        }
        return Optional.of(rows);
    }

    /** Whether a row of the note has every field, each of its type. */
    private static boolean isWhole(JsonNode row) {
        return row.path("layer").isTextual() && row.path("input_table").isTextual()
                && row.path("input_version").isIntegralNumber() && row.path("run_id").isTextual()
                && row.path("recorded_at").isTextual();
    }
}
