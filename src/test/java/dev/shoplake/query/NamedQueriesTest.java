package dev.shoplake.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamedQueriesTest {
    @Test
    void eachNamedBlockIsOneQueryWithItsDescription() {
        Map<String, NamedQueries.Query> q = NamedQueries.parse("""
                -- a file header
                -- name: first
                -- What it answers,
                -- on two lines.
                SELECT 1;

                -- name: second
                SELECT 'a;b'
                """);
        assertEquals(List.of("first", "second"), List.copyOf(q.keySet()));
        assertEquals("What it answers, on two lines.", q.get("first").description());
        assertTrue(q.get("first").sql().endsWith("SELECT 1"));
        assertEquals("SELECT 'a;b'", q.get("second").sql());
    }

    @Test
    void twoStatementsUnderOneNameOrANameTwiceAreRefused() {
        assertThrows(IllegalStateException.class, () -> NamedQueries.parse("-- name: a\nSELECT 1; SELECT 2;"));
        assertThrows(IllegalStateException.class, () -> NamedQueries.parse("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;"));
    }

    @Test
    void theDashboardFileAnswersEveryQuestionOfTheOriginalDashboard() {
        assertEquals(List.of("orders_summary", "top_products", "trending_products", "sales_by_day", "sales_by_hour",
                "best_categories", "most_active_customers", "customer_regions", "cart_conversion", "support_rates",
                "live_traffic", "stock_alerts", "freshness"), List.copyOf(NamedQueries.dashboard().keySet()));
        NamedQueries.dashboard().values().forEach(q -> assertTrue(!q.description().isBlank(), q.name()));
    }
}
