package dev.shoplake.gold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner's order: a model runs after the gold tables it looks up, and as early as that allows. */
class GoldJobTest {
    @Test
    void dimensionsRunBeforeTheFactsThatLookThemUp() {
        assertEquals(List.of(
                        List.of("gold.dim_customer", "gold.dim_product", "gold.dim_category", "gold.dim_date"),
                        List.of("gold.fact_sales", "gold.fact_order_details", "gold.fact_payments", "gold.dim_cart",
                                "gold.fact_support_ticket")),
                GoldJob.waves(GoldJob.MODELS).stream()
                        .map(wave -> wave.stream().map(m -> m.table().qualifiedName()).toList()).toList());
    }

    @Test
    void everyGoldTableOfTheBatchHasOneModel() {
        assertEquals(GoldJob.MODELS.size(), GoldJob.MODELS.stream().map(GoldTableModel::table).distinct().count());
        assertEquals(List.of(), dev.shoplake.lake.LakeTables.all().stream()
                .filter(t -> t.layer().equals("gold"))
                .filter(t -> GoldJob.MODELS.stream().noneMatch(m -> m.table() == t))
                .map(t -> t.qualifiedName())
                .filter(name -> !List.of("gold.fact_cart_activity", "gold.fact_product_stock", "gold.stock_current",
                        "gold.live_traffic_minute", "gold.live_traffic_increments").contains(name))
                .toList(), "a gold table no model builds (other than the stream's)");
    }
}
