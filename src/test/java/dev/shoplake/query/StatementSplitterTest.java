package dev.shoplake.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatementSplitterTest {
    @Test
    void semicolonsInsideStringsNamesAndCommentsDoNotEndAStatement() {
        StatementSplitter.Split split = StatementSplitter.split("""
                SELECT 'a;b', "c;d", `e;f` FROM t; -- one; more
                SELECT /* x; y */ 1;
                SELECT 'it\\'s;' ;SELECT 2""");
        assertEquals(List.of("SELECT 'a;b', \"c;d\", `e;f` FROM t", "-- one; more\nSELECT /* x; y */ 1",
                "SELECT 'it\\'s;'"), split.statements());
        assertEquals("SELECT 2", split.rest());
    }

    @Test
    void aScriptKeepsItsLastStatementWithoutSemicolonAndDropsCommentOnlyChunks() {
        assertEquals(List.of("SELECT 1", "SELECT 2"), StatementSplitter.script("SELECT 1;\n-- only a comment;\n;SELECT 2\n"));
        assertEquals(List.of(), StatementSplitter.script("-- nothing\n/* at all */"));
    }

    @Test
    void aStatementLeftOpenIsTheRest() {
        StatementSplitter.Split split = StatementSplitter.split("SELECT *\nFROM gold.fact_sales\n");
        assertEquals(List.of(), split.statements());
        assertEquals("SELECT *\nFROM gold.fact_sales\n", split.rest());
    }

    @Test
    void parametersAreNamedMarkersOutsideCommentsStringsAndCasts() {
        assertEquals(Set.of("date_from", "to"), StatementSplitter.parametersUsed("""
                -- :ignored in a comment
                SELECT x::int, ':not_me', '12:30' FROM t WHERE d >= :date_from AND d <= :to AND e = :date_from"""));
    }

    @Test
    void bindingWritesEachValueAsALiteralAndRefusesAMissingOne() {
        assertEquals("SELECT * FROM t WHERE d >= DATE'2026-05-01' AND n < 20 AND s = 'it\\'s' -- :d stays\n"
                        + "AND c = ':d' AND x::int > 0",
                StatementSplitter.bind("SELECT * FROM t WHERE d >= :d AND n < :n AND s = :s -- :d stays\n"
                        + "AND c = ':d' AND x::int > 0", java.util.Map.of("d", java.time.LocalDate.parse("2026-05-01"),
                        "n", 20, "s", "it's")));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> StatementSplitter.bind("SELECT :missing", java.util.Map.of()));
        assertEquals("no value for the parameter :missing (give one with -d missing=value)", e.getMessage());
    }
}
