package dev.shoplake.lake;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import io.delta.tables.DeltaTable;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SparkSession of every job, notebook and test: Delta enabled, UTC, and every lake table that
 * exists registered by name ({@code bronze.*}, {@code silver.*}, {@code gold.*}, {@code ops.*}).
 *
 * <p>The catalog choice: tables are registered from the lake's own layout at session start, from
 * {@link LakeTables} (the one list of tables), rather than kept in a metastore. Delta keeps the
 * schema in the table's log, so registration is metadata only, works the same on a laptop, with
 * spark-submit and on a cluster whose lake is s3a:// or hdfs://, and needs no metastore service.
 */
public final class LakeSession {
    private static final Logger LOG = LoggerFactory.getLogger(LakeSession.class);

    private LakeSession() {
    }

    /**
     * Gets or creates the session. {@code spark.*} settings from the config file apply unless the
     * SparkConf (spark-submit) already has them; {@code spark.master} defaults to local.
     */
    public static SparkSession open(String appName, Settings settings, LakehouseConfig config) {
        SparkSession spark = openUnregistered(appName, settings, config);
        spark.conf().set(NAMES_ON_WRITE, "true");
        register(spark, config.lakeRoot());
        return spark;
    }

    /**
     * The session without registering the lake's names up front: for jobs, which address tables by
     * path and register only what they write (a run with nothing to do reads no table's log).
     */
    public static SparkSession openUnregistered(String appName, Settings settings, LakehouseConfig config) {
        SparkConf conf = new SparkConf();
        for (Map.Entry<String, String> e : settings.asMap().entrySet()) {
            if (e.getKey().startsWith("spark.") && !conf.contains(e.getKey())) {
                conf.set(e.getKey(), e.getValue());
            }
        }
        conf.setIfMissing("spark.master", "local[*]");
        conf.setIfMissing("spark.app.name", appName);
        conf.setIfMissing("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
        conf.setIfMissing("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
        // dates are derived from event times; they must not depend on where the driver runs
        conf.setIfMissing("spark.sql.session.timeZone", "UTC");
        // every new table keeps a change data feed: a run reads the commits after the version its
        // layer read last (ops.model_inputs), not the table's history
        conf.setIfMissing("spark.databricks.delta.properties.defaults.enableChangeDataFeed", "true");
        // pools share the cores fairly (jobs within a pool stay first-in first-out): the dashboard's
        // queries run in a pool of their own, so a stream or batch in the same JVM does not starve them
        conf.setIfMissing("spark.scheduler.mode", "FAIR");
        conf.setIfMissing("spark.sql.warehouse.dir", TableSpec.stripSlash(config.lakeRoot()) + "/_warehouse");
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.conf().set(NAMES_ON_WRITE, "false");
        for (String layer : LakeTables.LAYERS) {
            spark.sql(CatalogScript.schemaStatement(layer, config.lakeRoot())); // metadata only
        }
        return spark;
    }

    /** Registers every existing lake table by name; a table not created yet is simply absent. */
    public static void register(SparkSession spark, String lakeRoot) {
        int registered = 0;
        for (String layer : LakeTables.LAYERS) {
            spark.sql(CatalogScript.schemaStatement(layer, lakeRoot)); // again: switchLake comes here
        }
        for (TableSpec spec : LakeTables.all()) {
            if (registerNow(spark, spec, lakeRoot)) {
                registered++;
            }
        }
        LOG.debug("registered {} lake tables from {}", registered, lakeRoot);
    }

    /**
     * Points the session's names at another lake: forgets every lake table (metadata only; the
     * tables are external, their data stays) and registers those of {@code lakeRoot}.
     */
    public static void switchLake(SparkSession spark, String lakeRoot) {
        for (TableSpec spec : LakeTables.all()) {
            spark.sql("DROP TABLE IF EXISTS " + spec.qualifiedName());
        }
        // never DROP SCHEMA: the in-memory catalog deletes a dropped schema's directory, i.e. a layer of the lake
        register(spark, lakeRoot);
    }

    /**
     * Whether a table a job writes is registered by name at once (sessions that show names: the
     * dashboard's, the tests'); off for a job that shares its JVM's catalog with a session that names
     * another lake.
     */
    public static final String NAMES_ON_WRITE = "spark.shoplake.register-on-write";

    static boolean registerOne(SparkSession spark, TableSpec spec, String lakeRoot) {
        return Boolean.parseBoolean(spark.conf().get(NAMES_ON_WRITE, "true")) && registerNow(spark, spec, lakeRoot);
    }

    /**
     * The sessions of a JVM share one catalog: a job registering what it wrote and the dashboard
     * registering what appeared could both find a name free, and Delta fails the second CREATE
     * ({@code DELTA_TABLE_ALREADY_EXISTS}, IF NOT EXISTS notwithstanding). One at a time, then.
     */
    private static synchronized boolean registerNow(SparkSession spark, TableSpec spec, String lakeRoot) {
        String path = spec.path(lakeRoot);
        if (spark.catalog().tableExists(spec.qualifiedName()) || !DeltaTable.isDeltaTable(spark, path)) {
            return false;
        }
        spark.sql(CatalogScript.tableStatement(spec, lakeRoot));
        return true;
    }
}
