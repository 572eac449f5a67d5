package dev.shoplake.bronze;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.JobRun;
import dev.shoplake.ops.TableTasks;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Lands the shop's PostgreSQL tables into bronze, incrementally. Each run reads
 * {@code (watermark, high mark]} of {@code updated_at} (the delete log's: {@code seq}), where the
 * high mark is taken from PostgreSQL when the run starts, with a JDBC read split into partitions
 * by id; {@code customers.password_hash} is never selected. The high mark is committed with the
 * rows, as the append's Delta transaction version ({@link #WATERMARK}): the next run reads it from
 * the table's log, never from its data, and a retried landing of the same slice is a no-op.
 */
public final class PostgresLanding {
    private static final String NEVER_READ = "password_hash";
    /** The Delta transaction id whose version is a bronze table's high mark (epoch microseconds, or seq). */
    static final String WATERMARK = "shoplake.bronze.watermark";

    private final SparkSession spark;
    private final DeltaWriter writer;
    private final LakehouseConfig.Postgres pg;

    public PostgresLanding(SparkSession spark, DeltaWriter writer, LakehouseConfig.Postgres pg) {
        this.spark = spark;
        this.writer = writer;
        this.pg = pg;
    }

    /** Lands every table, {@code parallelTables} at a time; a table that fails gets no commit, the others land. */
    public void run(JobRun run, int parallelTables) {
        List<Runnable> landings = new ArrayList<>();
        for (String table : LakeTables.POSTGRES_TABLES) {
            landings.add(TableTasks.labelled(spark, LakeTables.BRONZE_POSTGRES.get(table).qualifiedName(),
                    () -> land(run, LakeTables.BRONZE_POSTGRES.get(table), table, "updated_at")));
        }
        landings.add(TableTasks.labelled(spark, LakeTables.BRONZE_DELETED_ROWS.qualifiedName(),
                () -> land(run, LakeTables.BRONZE_DELETED_ROWS, "deleted_rows", "seq")));
        TableTasks.run(parallelTables, landings);
    }

    /** What one landing reads: (after, upTo] of the watermark column, over ids [minId, maxId]. */
    record Slice(Object after, Object upTo, long minId, long maxId, long rows) {
    }

    private void land(JobRun run, TableSpec spec, String table, String watermarkColumn) {
        long started = System.currentTimeMillis();
        try {
            Object watermark = watermark(spec, watermarkColumn);
            List<String> columns;
            Slice slice;
            try (Connection c = connect()) {
                columns = columns(c, table);
                slice = slice(c, table, watermarkColumn, watermark, spec == LakeTables.BRONZE_DELETED_ROWS ? "seq" : "id");
            }
            if (slice.rows() == 0) {
                run.add(new JobRun.TableResult(spec.qualifiedName(), "ok", 0, 0, 0, System.currentTimeMillis() - started,
                        "up to date"));
                return;
            }
            String idColumn = spec == LakeTables.BRONZE_DELETED_ROWS ? "seq" : "id";
            String query = "(SELECT " + String.join(", ", columns.stream().map(PostgresLanding::quote).toList())
                    + " FROM public." + quote(table) + " WHERE " + predicate(watermarkColumn, slice) + ") AS src";
            int partitions = (int) Math.max(1, Math.min(pg.readPartitions(), slice.rows() / 50_000 + 1));
            Dataset<Row> rows = spark.read().format("jdbc")
                    .option("url", pg.url())
                    .option("driver", "org.postgresql.Driver")
                    .option("user", pg.user())
                    .option("password", pg.requirePassword())
                    .option("dbtable", query)
                    .option("partitionColumn", idColumn)
                    .option("lowerBound", slice.minId())
                    .option("upperBound", slice.maxId() + 1)
                    .option("numPartitions", partitions)
                    .option("fetchsize", pg.fetchSize())
                    // a server that goes away mid-read fails the landing instead of hanging it: rows
                    // stream in fetchsize batches, so two minutes without a byte means it is gone
                    .option("connectTimeout", "10")
                    .option("socketTimeout", "120")
                    .load()
                    .withColumn(LakeTables.INGESTED_AT, functions.lit(Timestamp.from(run.startedAt())))
                    .withColumn(LakeTables.SOURCE, functions.lit("postgres:" + pg.database() + ".public." + table))
                    .withColumn(LakeTables.RUN_ID, functions.lit(run.runId()));
            writer.appendOnce(spec, rows, WATERMARK, asLong(slice.upTo()));
            long written = writer.lastCommitChangedRows(spec);
            run.add(new JobRun.TableResult(spec.qualifiedName(), "ok", written, written, 0,
                    System.currentTimeMillis() - started, null));
        } catch (SQLException e) {
            throw new UnreachableException("cannot read " + table + " from PostgreSQL at " + pg.url()
                    + " (spark.lakehouse.pg.url): " + e.getMessage(), e);
        }
    }

    /** Where the last landing stopped, from the table's log; null before the first landing. */
    private Object watermark(TableSpec spec, String column) {
        var committed = writer.appliedVersion(spec, WATERMARK);
        if (committed.isPresent()) {
            return column.equals("seq") ? (Object) committed.getAsLong() : fromMicros(committed.getAsLong());
        }
        // a lake landed before high marks were committed with the rows: found once, then committed
        return writer.exists(spec) ? writer.read(spec).agg(functions.max(column)).first().get(0) : null;
    }

    /** A high mark as the transaction version: microseconds since the epoch (PostgreSQL's precision), or seq. */
    static long asLong(Object value) {
        if (value instanceof Timestamp ts) {
            return toMicros(ts.toInstant());
        }
        if (value instanceof java.time.OffsetDateTime odt) {
            return toMicros(odt.toInstant());
        }
        return ((Number) value).longValue();
    }

    private static long toMicros(java.time.Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000);
    }

    static Timestamp fromMicros(long micros) {
        return Timestamp.from(java.time.Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L));
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.requirePassword());
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(pg.url(), props);
    }

    /** The source's columns today, in order, less the one that never leaves the source. */
    static List<String> columns(Connection c, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!rs.getString(1).equals(NEVER_READ)) {
                        columns.add(rs.getString(1));
                    }
                }
            }
        }
        if (columns.isEmpty()) {
            throw new SQLException("table public." + table + " does not exist");
        }
        return columns;
    }

    private static Slice slice(Connection c, String table, String column, Object watermark, String idColumn)
            throws SQLException {
        String sql = "SELECT max(" + quote(column) + "), min(" + idColumn + "), max(" + idColumn + "), count(*) FROM public."
                + quote(table) + (watermark == null ? "" : " WHERE " + quote(column) + " > ?");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (watermark instanceof Timestamp ts) {
                ps.setTimestamp(1, ts);
            } else if (watermark != null) {
                ps.setLong(1, ((Number) watermark).longValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Slice(watermark, rs.getObject(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        }
    }

    private static String predicate(String column, Slice slice) {
        String upTo = literal(slice.upTo());
        String bounded = quote(column) + " <= " + upTo;
        return slice.after() == null ? bounded : quote(column) + " > " + literal(slice.after()) + " AND " + bounded;
    }

    /** A watermark as SQL: timestamps as UTC timestamptz literals (microseconds kept), numbers as is. */
    static String literal(Object value) {
        if (value instanceof Timestamp ts) {
            return "'" + ts.toInstant() + "'::timestamptz";
        }
        if (value instanceof java.time.OffsetDateTime odt) {
            return "'" + odt.toInstant() + "'::timestamptz";
        }
        return String.valueOf(((Number) value).longValue());
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
