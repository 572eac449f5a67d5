package dev.shoplake.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shoplake.config.BadInputException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AsOfTest {
    private static final Set<String> TABLES = Set.of("gold.fact_sales", "gold.dim_date", "ops.job_runs");
    private static final String AT = " TIMESTAMP AS OF '2026-11-30 12:00:00.000'";

    private static String asOf(String sql) {
        return AsOf.rewrite(sql, TABLES, table -> "TIMESTAMP AS OF '2026-11-30 12:00:00.000'");
    }

    @Test
    void everyLakeTableAQueryReadsIsReadAsOfTheMoment() {
        assertEquals("SELECT d.year, count(*) FROM gold.fact_sales" + AT + " f JOIN gold.dim_date" + AT
                        + " d ON f.date_key = d.date_key GROUP BY d.year",
                asOf("SELECT d.year, count(*) FROM gold.fact_sales f JOIN gold.dim_date d ON f.date_key = d.date_key "
                        + "GROUP BY d.year"));
        assertEquals("WITH s AS (SELECT * FROM GOLD.FACT_SALES" + AT + ") SELECT s.sale_id FROM s, ops.job_runs" + AT,
                asOf("WITH s AS (SELECT * FROM GOLD.FACT_SALES) SELECT s.sale_id FROM s, ops.job_runs"));
        assertEquals("(SELECT 1 FROM gold.dim_date" + AT + ")", asOf("(SELECT 1 FROM gold.dim_date)"));
    }

    @Test
    void namesThatAreNotTableReadsAreLeftAlone() {
        // a string, a comment, a qualified column, a function, a table not of the lake, a table that travels already
        String sql = "-- gold.fact_sales\nSELECT 'gold.fact_sales', gold.fact_sales.sale_id, x.y(1), s.n FROM "
                + "gold.fact_sales VERSION AS OF 3 JOIN other.thing s";
        assertEquals(sql, asOf(sql));
        assertEquals("DESCRIBE HISTORY gold.fact_sales", asOf("DESCRIBE HISTORY gold.fact_sales"));
        assertEquals("INSERT INTO gold.fact_sales SELECT 1", asOf("INSERT INTO gold.fact_sales SELECT 1"));
    }

    @Test
    void eachTableGetsTheClauseChosenForIt() {
        // a table that did not move since the moment is read at its last version (Delta refuses a later moment)
        assertEquals("SELECT * FROM gold.dim_date VERSION AS OF 7 d JOIN gold.fact_sales TIMESTAMP AS OF "
                + "'2026-11-30 11:00:00.000' f ON true", AsOf.rewrite("SELECT * FROM gold.dim_date d JOIN gold.fact_sales f "
                + "ON true", TABLES, t -> t.equals("gold.dim_date") ? AsOf.atVersion(7)
                : AsOf.atMoment("2026-11-30 11:00:00.000")));
    }

    @Test
    void aMomentIsADayATimeOrAnInstantInUtc() {
        assertEquals("2026-11-30 00:00:00.000", AsOf.moment("2026-11-30"));
        assertEquals("2026-11-30 12:05:00.000", AsOf.moment("2026-11-30 12:05"));
        assertEquals("2026-11-30 12:05:07.250", AsOf.moment(" 2026-11-30T12:05:07.25 "));
        assertEquals("2026-11-30 11:05:07.000", AsOf.moment("2026-11-30T12:05:07+01:00"));
        assertEquals("2026-11-30 12:05:07.000", AsOf.moment("2026-11-30T12:05:07Z"));
        BadInputException bad = assertThrows(BadInputException.class, () -> AsOf.moment("yesterday"));
        assertEquals("as of 'yesterday': not a moment (2026-11-30, 2026-11-30 12:00:00, 2026-11-30T12:00:00Z)",
                bad.getMessage());
    }
}
