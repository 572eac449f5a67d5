package dev.shoplake.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void numbersJsonCannotHoldAreNullAndTextIsEscaped() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("p95_s", Double.NaN);
        values.put("max_s", Double.POSITIVE_INFINITY);
        values.put("rows", 3L);
        values.put("rate", 0.5);
        values.put("said", "a \"quoted\"\nline");
        values.put("runs", List.of(1, 2));
        assertEquals("{\"p95_s\":null,\"max_s\":null,\"rows\":3,\"rate\":0.5,\"said\":\"a \\\"quoted\\\"\\nline\",\"runs\":[1,2]}",
                Json.write(values));
        assertEquals("{\"error\":null}", Json.write(Json.object().put("error", (String) null)));
    }
}
