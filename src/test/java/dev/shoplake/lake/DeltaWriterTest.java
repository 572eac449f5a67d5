package dev.shoplake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoplake.testing.TestSpark;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one write path, on a real Delta table of a few rows, the way delta-io's MergeIntoJavaSuite
 * tests MERGE: each call's table afterwards (exact rows) and the count it returned from the commit.
 */
class DeltaWriterTest {
    private static final TableSpec T = new TableSpec("gold", "writer_test", new StructType()
            .add("id", DataTypes.IntegerType, false).add("day", DataTypes.IntegerType, false)
            .add("v", DataTypes.StringType, true).add("stamp", DataTypes.StringType, true),
            List.of("id"), "one row per id", List.of("day"), Map.of("v_not_empty", "v <> ''"), "a test table");

    private SparkSession spark;
    private DeltaWriter writer;

    @BeforeEach
    void aFreshLake() throws Exception {
        spark = TestSpark.session();
        writer = new DeltaWriter(spark, Files.createTempDirectory("writer-").toString());
    }

    private Dataset<Row> rows(Object[]... rows) {
        return spark.createDataFrame(java.util.Arrays.stream(rows).map(RowFactory::create).toList(), T.schema());
    }

    private List<String> table() {
        return writer.read(T).orderBy("id").collectAsList().stream()
                .map(r -> r.get(0) + "," + r.get(1) + "," + r.get(2) + "," + r.get(3)).toList();
    }

    @Test
    void upsertCreatesTheTableThenInsertsNewKeysUpdatesChangedRowsAndLeavesTheRestUntouched() {
        assertEquals(2, writer.upsert(T, rows(new Object[] {1, 10, "a", "x"}, new Object[] {2, 10, "b", "x"}),
                DeltaWriter.WHOLE_TABLE));
        assertEquals(List.of("day"), spark.sql("DESCRIBE DETAIL delta.`" + writer.path(T) + "`").first()
                .getList(spark.sql("DESCRIBE DETAIL delta.`" + writer.path(T) + "`").first().fieldIndex("partitionColumns")),
                "created from the spec: partitioned as it says");
        long before = writer.version(T);
        assertEquals(2, writer.upsert(T, rows(new Object[] {1, 10, "a", "x"}, new Object[] {2, 10, "B", "x"},
                new Object[] {3, 11, "c", "x"}), DeltaWriter.WHOLE_TABLE), "one changed, one new, one the same");
        assertEquals(List.of("1,10,a,x", "2,10,B,x", "3,11,c,x"), table());
        assertEquals(before + 1, writer.version(T));
        assertEquals(0, writer.upsert(T, rows(new Object[] {2, 10, "B", "x"}), DeltaWriter.WHOLE_TABLE),
                "a re-run with the same rows changes nothing");
    }

    @Test
    void theSpecsChecksHoldOnEveryWrite() {
        writer.upsert(T, rows(new Object[] {1, 10, "a", null}), DeltaWriter.WHOLE_TABLE);
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> writer.upsert(T, rows(new Object[] {2, 10, "", null}), DeltaWriter.WHOLE_TABLE));
        assertEquals(List.of("1,10,a,null"), table());
    }

    @Test
    void thePruneLimitsTheTargetRowsAMergeSees() {
        writer.upsert(T, rows(new Object[] {1, 10, "a", "x"}, new Object[] {2, 11, "b", "x"}), DeltaWriter.WHOLE_TABLE);
        // id 2 lies outside the prune: the MERGE does not see it, so it is inserted again (a prune must
        // cover every row a batch can match; the runner builds it from the batch's own days)
        assertEquals(0, writer.insertNew(T, rows(new Object[] {1, 10, "z", "y"}), DeltaWriter.target("day").isin(10)));
        assertEquals(List.of("1,10,a,x", "2,11,b,x"), table(), "insertNew keeps a matched row as it is");
        assertEquals(1, writer.insertNew(T, rows(new Object[] {2, 11, "b2", "y"}), DeltaWriter.target("day").isin(10)));
        assertEquals(3, writer.read(T).count());
    }

    @Test
    void upsertWhenChangedComparesOnlyTheNamedColumnsAndReplaceByKeyRewritesEveryMatch() {
        writer.upsert(T, rows(new Object[] {1, 10, "a", "x"}, new Object[] {2, 10, "b", "x"}), DeltaWriter.WHOLE_TABLE);
        assertEquals(0, writer.upsertWhenChanged(T, rows(new Object[] {1, 10, "a", "y"}), DeltaWriter.WHOLE_TABLE,
                List.of("v")), "only the stamp differs: not a change");
        assertEquals(1, writer.upsertWhenChanged(T, rows(new Object[] {1, 10, "a2", "y"}), DeltaWriter.WHOLE_TABLE,
                List.of("v")));
        assertEquals(List.of("1,10,a2,y", "2,10,b,x"), table(), "a changed row takes every column");
        assertEquals(1, writer.replaceByKey(T, rows(new Object[] {2, 10, "b", "x"}), DeltaWriter.WHOLE_TABLE),
                "replaceByKey rewrites a match even when it is the same");
    }

    @Test
    void updateColumnsSetsOnlyThoseColumnsOfMatchedRowsAndInsertsNothing() {
        writer.upsert(T, rows(new Object[] {1, 10, "a", "x"}, new Object[] {2, 10, "b", "x"}), DeltaWriter.WHOLE_TABLE);
        assertEquals(1, writer.updateColumns(T, rows(new Object[] {1, 10, "ignored", "new"}, new Object[] {9, 10, "n", "n"}),
                DeltaWriter.target("day").isin(10), List.of("stamp")));
        assertEquals(List.of("1,10,a,new", "2,10,b,x"), table());
    }

    @Test
    void anAppendWithATransactionIdLandsOnceAndItsCountComesFromItsCommit() {
        writer.ensure(T);
        Dataset<Row> batch = rows(new Object[] {1, 10, "a", "x"}, new Object[] {2, 11, "b", "x"});
        assertEquals(2, writer.appendNew(T, batch, org.apache.spark.sql.functions.lit(true), "test-app", 7));
        assertEquals(0, writer.appendNew(T, batch, org.apache.spark.sql.functions.lit(true), "test-app", 7),
                "the same (app, version) again: skipped");
        assertEquals(1, writer.appendNew(T, rows(new Object[] {2, 11, "b", "x"}, new Object[] {3, 11, "c", "x"}),
                org.apache.spark.sql.functions.lit(true), "test-app", 8), "a key already there is not appended twice");
        assertEquals(List.of("1,10,a,x", "2,11,b,x", "3,11,c,x"), table());
        assertEquals(java.util.OptionalLong.of(8), writer.appliedVersion(T, "test-app"));
    }

    @Test
    void anAppendWithATransactionIdChecksItInTheLogNotInTheTablesStateAndKeepsTheTablesConstraints() throws Exception {
        writer.ensure(T);
        writer.appendOnce(T, rows(new Object[] {1, 10, "a", "x"}), "test-app", 1);
        // Delta's own txnVersion option rebuilds the table's state after each commit to check the id
        java.util.List<String> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();
        var listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
                jobs.add(String.valueOf(start.properties().getProperty("spark.job.description")));
            }
        };
        spark.sparkContext().addSparkListener(listener);
        try {
            // columns in another order than the table's land in the table's
            writer.appendOnce(T, rows(new Object[] {2, 11, "b", "y"}).select("stamp", "v", "day", "id"), "test-app", 2);
            writer.appendOnce(T, rows(new Object[] {2, 11, "b", "y"}), "test-app", 2);
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        assertEquals(List.of(), jobs.stream().filter(d -> d.contains("Compute snapshot")).toList(), String.join("\n", jobs));
        assertEquals(List.of("1,10,a,x", "2,11,b,y"), table(), "version 2 again: skipped");
        assertEquals(1, writer.committedRows(T, "test-app", 2), "the commit counts its rows");
        assertEquals(java.util.OptionalLong.of(2), writer.appliedVersion(T, "test-app"));
        // the table's CHECK and NOT NULL constraints hold on this path too: nothing of the batch lands
        var broken = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> writer.appendOnce(T, rows(new Object[] {3, 11, "", "z"}), "test-app", 3));
        org.junit.jupiter.api.Assertions.assertTrue(String.valueOf(broken.getMessage()).contains("v_not_empty"),
                broken.toString());
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> writer.appendOnce(T, rows(new Object[] {3, 11, "c", "z"})
                        .withColumn("day", org.apache.spark.sql.functions.lit(null).cast("int")), "test-app", 3));
        assertEquals(List.of("1,10,a,x", "2,11,b,y"), table());
        assertEquals(java.util.OptionalLong.of(2), writer.appliedVersion(T, "test-app"));
    }

    @Test
    void aWriteCarriesItsNoteInItsCommitUntilTheNextWriteOfRowsWithout() {
        assertEquals(java.util.Optional.empty(), writer.newestCommitNote(T), "no table: no note");
        writer.ensure(T);
        writer.overwrite(T, rows(new Object[] {1, 10, "a", "x"}), "{\"read\": 1}");
        assertEquals(java.util.Optional.of("{\"read\": 1}"), writer.newestCommitNote(T));
        assertEquals(List.of("1,10,a,x"), table(), "the rows are the table's as well");
        writer.append(T, rows(new Object[] {2, 10, "b", "x"}), "{\"read\": 2}");
        assertEquals(java.util.Optional.of("{\"read\": 2}"), writer.newestCommitNote(T), "an append carries one too");
        spark.sql("OPTIMIZE delta.`" + writer.path(T) + "`");
        spark.sql("ALTER TABLE delta.`" + writer.path(T) + "` SET TBLPROPERTIES ('shoplake.test' = 'x')");
        assertEquals(java.util.Optional.of("{\"read\": 2}"), writer.newestCommitNote(T),
                "commits that change no rows (compaction, a property) leave the note as it was");
        writer.append(T, rows(new Object[] {3, 10, "c", "x"}));
        assertEquals(java.util.Optional.empty(), writer.newestCommitNote(T), "the newest commit that changed rows carries none");
        assertEquals(List.of("1,10,a,x", "2,10,b,x", "3,10,c,x"), table());
    }

    @Test
    void aTableKeepsAChangeFeedOnlyWhenALayerReadsIt() {
        TableSpec read = new TableSpec("silver", "feed_test", T.schema(), List.of("id"), "one row per id", List.of(),
                Map.of(), "read by gold through its feed");
        writer.ensure(T);
        writer.ensure(read);
        assertEquals(List.of("false", "true"), List.of(T, read).stream().map(spec -> String.valueOf(spark.sql(
                "DESCRIBE DETAIL delta.`" + writer.path(spec) + "`").first().getJavaMap(spark.sql("DESCRIBE DETAIL delta.`"
                + writer.path(spec) + "`").first().fieldIndex("properties")).get("delta.enableChangeDataFeed"))).toList());
    }

    @Test
    void upsertPartitionsRewritesOnlyTheDaysGivenKeepingTheirOtherKeys() {
        assertEquals(3, writer.upsertPartitions(T, rows(new Object[] {1, 10, "a", "x"}, new Object[] {2, 10, "b", "x"},
                new Object[] {3, 11, "c", "x"}), List.of(10, 11)), "the first write creates the table");
        String[] day11 = writer.read(T).where("day = 11").inputFiles();
        assertEquals(3, writer.upsertPartitions(T, rows(new Object[] {2, 10, "B", "x"}, new Object[] {4, 10, "d", "x"}),
                List.of(10)), "day 10 holds three rows now");
        assertEquals(List.of("1,10,a,x", "2,10,B,x", "3,11,c,x", "4,10,d,x"), table());
        assertEquals(java.util.Arrays.asList(day11), java.util.Arrays.asList(writer.read(T).where("day = 11").inputFiles()),
                "day 11 was not rewritten");
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> writer.upsertPartitions(T,
                rows(new Object[] {5, 12, "e", "x"}), List.of(10)), "a row outside the days given is refused");
        assertEquals(List.of("1,10,a,x", "2,10,B,x", "3,11,c,x", "4,10,d,x"), table(), "and nothing was written");
    }

    @Test
    void upsertPartitionsKeepsWorkingOnATableWrittenBeforeItsSpecWasPartitioned() {
        TableSpec unpartitioned = new TableSpec(T.layer(), T.name(), T.schema(), T.keys(), T.grain(), List.of(),
                T.checks(), T.description());
        writer.upsert(unpartitioned, rows(new Object[] {1, 10, "a", "x"}, new Object[] {2, 10, "b", "x"},
                new Object[] {3, 11, "c", "x"}), DeltaWriter.WHOLE_TABLE);
        assertEquals(4, writer.upsertPartitions(T, rows(new Object[] {2, 10, "B", "x"}, new Object[] {4, 10, "d", "x"}),
                List.of(10)), "the rows the commit wrote: day 10's three, and day 11's row that shared their file");
        assertEquals(List.of("1,10,a,x", "2,10,B,x", "3,11,c,x", "4,10,d,x"), table());
        assertEquals(List.of(), spark.sql("DESCRIBE DETAIL delta.`" + writer.path(T) + "`").first()
                .getList(spark.sql("DESCRIBE DETAIL delta.`" + writer.path(T) + "`").first().fieldIndex("partitionColumns")),
                "the table keeps its layout: the days are replaced by their rows, not by their partitions");
    }

    @Test
    void aTableWhoseCreationWasKilledBeforeItsFirstCommitIsCreatedAgain() throws Exception {
        // what kill -9 during a table's creation leaves: a log directory without a commit
        Files.createDirectories(java.nio.file.Path.of(writer.path(T), "_delta_log"));
        writer.ensure(T);
        org.junit.jupiter.api.Assertions.assertTrue(writer.exists(T), "created, where Delta took the empty log for a table");
        assertEquals(List.of(), table());
    }

    @Test
    void theVersionFollowsCommitsOfAnyWriterAndATableDeletedOrCreatedAnew() throws Exception {
        assertEquals(-1, writer.version(T), "no table");
        writer.ensure(T);
        long created = writer.version(T);
        DeltaWriter another = new DeltaWriter(spark, writer.lakeRoot());
        another.append(T, rows(new Object[] {1, 10, "a", "x"}), null);
        another.append(T, rows(new Object[] {2, 10, "b", "x"}), null);
        assertEquals(created + 2, writer.version(T), "two commits of another writer, seen from the last version seen");
        assertEquals(created + 2, io.delta.tables.DeltaTable.forPath(spark, writer.path(T)).history(1)
                .first().<Long>getAs("version"), "as Delta says");
        deleteRecursively(java.nio.file.Path.of(writer.path(T)));
        assertEquals(-1, writer.version(T), "deleted");
        writer.ensure(T);
        another.append(T, rows(new Object[] {1, 10, "a", "x"}), null);
        assertEquals(created + 1, writer.version(T));
        deleteRecursively(java.nio.file.Path.of(writer.path(T)));
        writer.ensure(T);
        assertEquals(created, writer.version(T), "deleted and created anew between two looks: its own version");
    }

    private static void deleteRecursively(java.nio.file.Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
