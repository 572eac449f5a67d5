package dev.shoplake.cli;

import dev.shoplake.config.LakehouseConfig;
import java.util.function.BiFunction;
import org.apache.spark.sql.SparkSession;

/** What {@code lakehouse sql} needs of its command line: the settings, and a local lake session when no server answers. */
interface SqlHost {
    LakehouseConfig config();

    <T> T withLake(String appName, BiFunction<SparkSession, LakehouseConfig, T> work);
}
