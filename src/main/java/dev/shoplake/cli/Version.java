package dev.shoplake.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code lakehouse --version}: the project's version (from the build) and the Spark and Delta it runs on. */
final class Version implements CommandLine.IVersionProvider {
    static String project() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/dev/shoplake/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return p.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"shoplake " + project(), "Apache Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()
                + ", Delta Lake " + java.util.Objects.toString(io.delta.tables.DeltaTable.class.getPackage().getImplementationVersion(), "(version unknown)")};
    }
}
