package dev.shoplake.cli;

import dev.shoplake.lake.CatalogScript;
import dev.shoplake.lake.TableSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse catalog}: the SQL that gives any Spark with Delta the lake's tables by name. */
@Command(name = "catalog", description = "Print (or write) the SQL that registers every lake table by name in any Spark "
        + "with Delta: spark-sql -i catalog.sql, or a notebook.")
final class CatalogCommand implements Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--lake-root", description = "The lake as the other Spark sees it (default: this config's lake, "
            + "as an absolute path).")
    String lakeRoot;

    @Option(names = {"-o", "--output"}, description = "Write the script to this file instead of printing it.")
    Path output;

    @Override
    public Integer call() throws IOException {
        String root = lakeRoot != null ? lakeRoot : parent.config().lakeRoot();
        org.apache.hadoop.fs.Path rootPath = new org.apache.hadoop.fs.Path(root);
        FileSystem fs = rootPath.getFileSystem(new Configuration());
        String script = CatalogScript.forLake(rootPath.toString(), spec -> exists(fs, spec, rootPath.toString()));
        if (output == null) {
            System.out.print(script);
        } else {
            Files.writeString(output, script, StandardCharsets.UTF_8);
            System.out.println("catalog script for " + root + " written to " + output);
        }
        return 0;
    }

    private static boolean exists(FileSystem fs, TableSpec spec, String root) {
        try {
            return fs.exists(new org.apache.hadoop.fs.Path(spec.path(root), "_delta_log"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot look at " + spec.path(root) + ": " + e.getMessage(), e);
        }
    }
}
