package dev.shoplake.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import dev.shoplake.lake.DeltaWriter;
import dev.shoplake.lake.LakeTables;
import dev.shoplake.lake.TableSpec;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * dbt-style data tests, derived from the table specs rather than written by hand: every key of a
 * silver or gold table is unique and never null, every reference of the star
 * ({@link LakeTables#REFERENCES}) names a row that is there (or the unknown member, where a fact may
 * wait for its dimension), every closed list ({@link LakeTables#ACCEPTED}) holds. All the tests of a
 * run are one query: each is an aggregate of its offending values, and the aggregates are one union (one
 * Spark job of its own, beside Delta's planning of each table it reads).
 */
public final class DataTests {
    /**
     * One test. {@code column} names what it tests (the key's columns joined by commas for unique);
     * {@code reference} and {@code accepted} are set for those kinds of test only.
     */
    public record DataTest(TableSpec table, String test, String column, LakeTables.Reference reference,
                           LakeTables.Accepted accepted) {
        public String name() {
            return table.qualifiedName() + " " + test + " " + column
                    + (reference == null ? "" : " -> " + reference.to().qualifiedName() + "." + reference.toColumn());
        }
    }

    /** A test's outcome: how many offending values, and one of them. */
    public record Outcome(DataTest test, long failures, String example) {
        public boolean passed() {
            return failures == 0;
        }
    }

    private DataTests() {
    }

    /** The silver and gold tables: what the lake models, so what its tests cover. */
    public static List<TableSpec> modelled() {
        return LakeTables.all().stream().filter(t -> t.layer().equals("silver") || t.layer().equals("gold")).toList();
    }

    /**
     * What a batch tests after it wrote: the tests of the star's tables it wrote, each of a table's
     * own rows (its keys, its closed lists, the rows it names). Silver, whose keys its MERGE by id
     * holds, is left to {@code lakehouse test}, and so is a reference into a table written from one
     * that was not: a batch never deletes a gold row (a dimension gains versions, a rewritten day
     * keeps its other keys, the calendar only appends), so what was named before is still there.
     */
    public static List<DataTest> afterBatch(Collection<TableSpec> written) {
        List<TableSpec> tables = modelled().stream().filter(t -> t.layer().equals("gold") && written.contains(t)).toList();
        return of(tables).stream().filter(t -> tables.contains(t.table())).toList();
    }

    /**
     * The tests of these tables: their keys, their references (either end among them: a dimension
     * that lost a row breaks the facts naming it) and their closed lists.
     */
    public static List<DataTest> of(List<TableSpec> tables) {
        List<DataTest> tests = new ArrayList<>();
        for (TableSpec t : tables) {
            if (!t.keys().isEmpty()) {
                tests.add(new DataTest(t, "unique", String.join(",", t.keys()), null, null));
                // a key the spec declares NOT NULL is held by Delta at every write: no test can fail it
                t.keys().stream().filter(k -> t.schema() == null || t.schema().apply(k).nullable())
                        .forEach(k -> tests.add(new DataTest(t, "not_null", k, null, null)));
            }
        }
        for (LakeTables.Reference r : LakeTables.REFERENCES) {
            if (tables.contains(r.table()) || tables.contains(r.to())) {
                tests.add(new DataTest(r.table(), "references", r.column(), r, null));
            }
        }
        for (LakeTables.Accepted a : LakeTables.ACCEPTED) {
            if (tables.contains(a.table())) {
                tests.add(new DataTest(a.table(), "accepted_values", a.column(), null, a));
            }
        }
        return tests;
    }

    /**
     * The offending values of one test, one row each ({@code _value}, as text): a duplicated key,
     * a null key, a reference to a row that is not there, a value outside its list. Null when a
     * table the test reads does not exist ({@code read} returns null for it).
     */
    static Dataset<Row> offending(DataTest t, Function<TableSpec, Dataset<Row>> tested,
                                  Function<TableSpec, Dataset<Row>> named) {
        Dataset<Row> rows = tested.apply(t.table());
        if (rows == null) {
            return null;
        }
        switch (t.test()) {
            case "unique" -> {
                Column[] keys = t.table().keys().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
                Column[] asText = t.table().keys().stream().map(k -> col(k).cast("string")).toArray(Column[]::new);
                return rows.groupBy(keys).agg(count(lit(1)).as("_rows")).where(col("_rows").gt(1))
                        .select(concat_ws(",", asText).as("_value"));
            }
            case "not_null" -> {
                return rows.where(col(t.column()).isNull()).select(lit(null).cast("string").as("_value"));
            }
            case "references" -> {
                LakeTables.Reference r = t.reference();
                Dataset<Row> to = named.apply(r.to());
                if (to == null) {
                    return null;
                }
                Column naming = col(r.column()).isNotNull();
                if (r.unknownAllowed()) {
                    naming = naming.and(col(r.column()).notEqual(lit(LakeTables.UNKNOWN_KEY)));
                }
                Dataset<Row> values = rows.where(naming).select(col(r.column()).as("_named")).distinct();
                // a sort-merge join: it runs in the query's one job, where a broadcast is a Spark job of its own
                return values.join(to.select(col(r.toColumn()).as("_key")).hint("shuffle_merge"),
                                col("_named").equalTo(col("_key")), "left_anti")
                        .select(col("_named").cast("string").as("_value"));
            }
            case "accepted_values" -> {
                Column value = col(t.column()).cast("string");
                return rows.where(value.isNotNull().and(value.isin(t.accepted().values().toArray()).unary_$bang()))
                        .select(value.as("_value")).distinct();
            }
            default -> throw new IllegalArgumentException("unknown data test " + t.test());
        }
    }

    /**
     * One row per test that could run ({@code test_index} into {@code tests}, table_name, test,
     * column_name, failures, example), in the order of {@code tests}: a pure function of the tables,
     * one query when collected.
     */
    public static Dataset<Row> outcomes(List<DataTest> tests, Function<TableSpec, Dataset<Row>> read) {
        return outcomes(tests, read, read);
    }

    /**
     * As {@link #outcomes(List, Function)}, with the rows a test checks ({@code tested}: a table's
     * rows under test) apart from the rows a reference must find ({@code named}: the whole table).
     */
    public static Dataset<Row> outcomes(List<DataTest> tests, Function<TableSpec, Dataset<Row>> tested,
                                        Function<TableSpec, Dataset<Row>> named) {
        Dataset<Row> all = null;
        for (int i = 0; i < tests.size(); i++) {
            DataTest t = tests.get(i);
            Dataset<Row> bad = offending(t, tested, named);
            if (bad == null) {
                continue;
            }
            Dataset<Row> one = bad.agg(count(lit(1)).as("failures"), min("_value").as("example"))
                    .select(lit(i).as("test_index"), lit(t.table().qualifiedName()).as("table_name"), lit(t.test()).as("test"),
                            lit(t.column()).as("column_name"), col("failures"), col("example"));
            all = all == null ? one : all.union(one);
        }
        return all == null ? null : all.orderBy("test_index");
    }

    /** Runs the tests on the lake's tables as they are now, every row of each. */
    public static List<Outcome> run(DeltaWriter writer, List<DataTest> tests) {
        return run(writer, tests, Map.of());
    }

    /**
     * Runs the tests on the lake's tables as they are now: the outcomes of those whose tables exist.
     * A table in {@code scopes} is tested on the rows its predicate keeps (a batch's written days:
     * the cost follows the change, not the table), while a table a reference names is always read
     * whole. Each read is of the tested columns only and kept for the run: Delta plans every scan
     * with a filter of its own (a Spark job each), so 28 tests would otherwise plan 23 scans.
     */
    public static List<Outcome> run(DeltaWriter writer, List<DataTest> tests, Map<TableSpec, Column> scopes) {
        Map<TableSpec, Column> narrowed = new LinkedHashMap<>(scopes);
        narrowed.values().removeIf(scope -> scope == DeltaWriter.WHOLE_TABLE);
        Map<String, Dataset<Row>> kept = new LinkedHashMap<>();
        try {
            Dataset<Row> outcomes = outcomes(tests,
                    s -> keep(kept, writer, s, narrowed.get(s), columnsTested(s, tests, true, !narrowed.containsKey(s))),
                    s -> keep(kept, writer, s, null, columnsTested(s, tests, !narrowed.containsKey(s), true)));
            List<Outcome> result = new ArrayList<>();
            if (outcomes == null) {
                return result;
            }
            // one row per test (a few dozen), never data
            for (Row r : outcomes.collectAsList()) {
                result.add(new Outcome(tests.get(r.getInt(0)), r.getLong(4), r.getString(5)));
            }
            return result;
        } finally {
            kept.values().stream().filter(Objects::nonNull).forEach(Dataset::unpersist);
        }
    }

    /** One read of a table (the rows {@code scope} keeps, or all), made once per run; null when there is no table. */
    private static Dataset<Row> keep(Map<String, Dataset<Row>> kept, DeltaWriter writer, TableSpec table, Column scope,
                                     List<String> columns) {
        String key = table.qualifiedName() + (scope == null ? "" : " WHERE " + scope);
        if (!kept.containsKey(key)) {
            Dataset<Row> rows = writer.exists(table) ? writer.read(table) : null;
            kept.put(key, rows == null ? null : (scope == null ? rows : rows.where(scope))
                    .select(columns.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new))
                    .persist(StorageLevel.MEMORY_AND_DISK()));
        }
        return kept.get(key);
    }

    /** The columns of {@code table} that {@code tests} read: its keys, the columns it names or is named by, its closed lists. */
    static List<String> columnsTested(TableSpec table, List<DataTest> tests) {
        return columnsTested(table, tests, true, true);
    }

    /** The columns {@code tests} read of {@code table} as the table tested, as a table named, or both. */
    static List<String> columnsTested(TableSpec table, List<DataTest> tests, boolean asTested, boolean asNamed) {
        Set<String> columns = new LinkedHashSet<>();
        for (DataTest t : tests) {
            if (asTested && t.table().equals(table)) {
                if (t.test().equals("unique")) {
                    columns.addAll(table.keys());
                } else {
                    columns.add(t.column());
                }
            }
            if (asNamed && t.reference() != null && t.reference().to().equals(table)) {
                columns.add(t.reference().toColumn());
            }
        }
        return new ArrayList<>(columns);
    }

    /**
     * Runs the tests (see {@link #run(DeltaWriter, List, Map)} for {@code scopes}), records their
     * outcomes in ops.data_tests under {@code runId} (one append), and
     * raises an alarm once per failing test. Returns the outcomes.
     */
    public static List<Outcome> record(SparkSession spark, DeltaWriter writer, String runId, List<DataTest> tests,
                                       Map<TableSpec, Column> scopes, Instant now) {
        List<Outcome> outcomes = run(writer, tests, scopes);
        if (outcomes.isEmpty()) {
            return outcomes;
        }
        List<Row> rows = new ArrayList<>();
        List<Row> alarms = new ArrayList<>();
        Timestamp at = Timestamp.from(now);
        for (Outcome o : outcomes) {
            rows.add(RowFactory.create(runId, o.test().table().qualifiedName(), o.test().test(), o.test().column(),
                    o.failures(), o.example(), at));
            if (!o.passed()) {
                alarms.add(RowFactory.create("data_test_failed", o.test().name(), o.failures()
                        + " offending value(s), e.g. " + o.example(), at, runId));
            }
        }
        writer.ensure(LakeTables.OPS_DATA_TESTS);
        writer.append(LakeTables.OPS_DATA_TESTS, spark.createDataFrame(rows, LakeTables.OPS_DATA_TESTS.schema()));
        if (!alarms.isEmpty()) {
            writer.ensure(LakeTables.OPS_ALARMS);
            writer.insertNew(LakeTables.OPS_ALARMS, spark.createDataFrame(alarms, LakeTables.OPS_ALARMS.schema()),
                    DeltaWriter.WHOLE_TABLE);
        }
        return outcomes;
    }
}
