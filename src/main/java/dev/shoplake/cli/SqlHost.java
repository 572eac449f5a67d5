package dev.shoplake.cli;

import dev.shoplake.config.LakehouseConfig;
import java.util.function.BiFunction;
import org.apache.spark.sql.SparkSession;

/** What {@code lakehouse sql} needs of its command line: the settings, and a local lake session when no server answers. */
interface SqlHost {
    LakehouseConfig config();

    /**
     * Whether a server answering at the configured address is used without --remote: the thin
     * client's choice. A Spark of one's own (spark-submit on a cluster, say) is what was asked for.
     */
    boolean usesConfiguredServer();

    <T> T withLake(String appName, BiFunction<SparkSession, LakehouseConfig, T> work);
}
