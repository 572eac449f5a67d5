package dev.shoplake.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {
    @Test
    void alignsNumbersRightTextLeftAndPrintsNull() {
        String table = ResultTable.format(List.of("name", "units"), List.of(false, true),
                List.of(List.of("Yoga Mat", "7"), Arrays.asList(null, "1234"), List.of("a\tb", "0")));
        assertEquals("""
                +----------+-------+
                | name     | units |
                +----------+-------+
                | Yoga Mat |     7 |
                | NULL     |  1234 |
                | a\\tb     |     0 |
                +----------+-------+
                """, table);
    }
}
