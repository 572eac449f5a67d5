package dev.shoplake.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.streaming.LiveListener;
import dev.shoplake.testing.TestSpark;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The live tiles as the stream moves them: exact answers from a few handed-over micro-batches. */
class LiveTilesTest {
    private static final StructType MINUTE = dev.shoplake.lake.LakeTables.GOLD_LIVE_TRAFFIC.schema();
    private static final StructType STOCK = new StructType().add("product_id", DataTypes.IntegerType)
            .add("stock_level", DataTypes.IntegerType).add("event_time", DataTypes.TimestampType)
            .add("stream_position", DataTypes.LongType).add("event_id", DataTypes.StringType);

    private static Row minute(String at, long sessions, long storeActions, String revenue) {
        return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {Timestamp.from(
                Instant.parse(at)), 20261201, sessions, 0L, storeActions, 0L, 0L, 0L, 0L, 0L, new BigDecimal(revenue), null},
                MINUTE);
    }

    private static Row stock(int product, int level, String at, long position) {
        return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {product, level,
                Timestamp.from(Instant.parse(at)), position, "e" + position}, STOCK);
    }

    private static LiveListener.Batch batch(long id, long trafficVersion, List<Row> minutes, List<Row> stock) {
        return new LiveListener.Batch(id, Instant.parse("2026-12-01T10:00:00Z"), 3, 1200L, trafficVersion, minutes, stock, new long[0]);
    }

    @Test
    void batchesAddTheirMinutesOnceAndStockMovesOnlyForward() throws Exception {
        LiveTiles tiles = new LiveTiles(new DeltaWriter(TestSpark.session(), "unused"), 20);
        tiles.onBatch(batch(0, 5, List.of(minute("2026-12-01T09:00:00Z", 1, 2, "3.50"),
                minute("2026-12-01T09:59:00Z", 2, 1, "0.00")), List.of(stock(7, 15, "2026-12-01T09:59:10Z", 4),
                stock(8, 40, "2026-12-01T09:59:11Z", 5))));
        // the same minutes again at a version already held (a replay): not added twice
        tiles.onBatch(batch(0, 5, List.of(minute("2026-12-01T09:59:00Z", 2, 1, "0.00")), List.of()));
        tiles.onBatch(batch(1, 6, List.of(minute("2026-12-01T09:59:00Z", 0, 3, "10.25"),
                minute("2026-12-01T10:00:00Z", 1, 0, "0.00")), List.of(
                // an older change of product 7 arrives late: the level stays; product 8 drops under the alert level
                stock(7, 90, "2026-12-01T09:58:00Z", 3), stock(8, 12, "2026-12-01T10:00:01Z", 6))));

        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        // the hour before the newest minute (10:00): 09:00 is out
        assertEquals(json.readTree("""
                [{"minute":"2026-12-01T09:59:00Z","sessions":2,"page_views":0,"store_actions":4,"carts_created":0,
                  "add_to_carts":0,"checkouts":0,"orders_paid":0,"payments_failed":0,"revenue":10.25},
                 {"minute":"2026-12-01T10:00:00Z","sessions":1,"page_views":0,"store_actions":0,"carts_created":0,
                  "add_to_carts":0,"checkouts":0,"orders_paid":0,"payments_failed":0,"revenue":0.00}]"""),
                json.readTree(tiles.liveTraffic()).get("rows"));
        assertEquals(json.readTree("""
                [{"product_id":8,"name":null,"stock_level":12,"as_of":"2026-12-01T10:00:01Z"},
                 {"product_id":7,"name":null,"stock_level":15,"as_of":"2026-12-01T09:59:10Z"}]"""),
                json.readTree(tiles.stockAlerts()).get("rows"));
        var freshness = json.readTree(tiles.freshness("""
                {"name":"freshness","rows":[{"last_batch_at":"2026-12-01T09:00:00Z","last_stream_batch_at":null,
                 "stream_latency_ms":null,"newest_event_at":null}]}""")).get("rows").get(0);
        assertEquals("2026-12-01T09:00:00Z", freshness.get("last_batch_at").asText(), "the batch's part is the table's");
        assertEquals("2026-12-01T10:00:00Z", freshness.get("last_stream_batch_at").asText());
        assertEquals(1200, freshness.get("stream_latency_ms").asLong());
        assertEquals("2026-12-01T10:00:01Z", freshness.get("newest_event_at").asText());
    }
}
