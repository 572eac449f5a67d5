package dev.shoplake.testing;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class-data-sharing archive for the CLI JVMs the integration tests start (JDK 17's dynamic
 * archive, as bin/lakehouse keeps one per command): Spark's and Delta's classes, recorded once by a
 * short Spark SQL run with a Delta write and a MERGE, then mapped by every later CLI JVM instead of
 * being loaded and verified one by one. Measured beside a running test suite: the same Delta run
 * 71 s with the archive, 115 s without.
 *
 * <p>The first test that starts a CLI JVM starts the recording in the background and goes on
 * without it; the JVMs started once the archive is written use it. One recording per build, also
 * across the test forks (a lock file); an archive older than the jar is recorded again. A JVM
 * whose classpath or options do not match the archive ignores it ({@code -Xshare:auto}).
 */
final class ClassDataArchive {
    private static final Path DIR = Path.of("target", "cds-it");
    private static final Path ARCHIVE = DIR.resolve("lakehouse.jsa");
    private static final Path LOCK = DIR.resolve("recording.lock");
    private static boolean recordingStarted;

    private ClassDataArchive() {
    }

    /** The JVM options that map the archive, or none while it is not recorded yet. */
    static synchronized List<String> options() {
        if (fresh()) {
            return List.of("-XX:SharedArchiveFile=" + ARCHIVE.toAbsolutePath(), "-Xshare:auto", "-Xlog:cds=off",
                    "-Xlog:cds+dynamic=off");
        }
        if (!recordingStarted) {
            recordingStarted = true;
            try {
                record();
            } catch (IOException e) {
                System.out.println("no class-data archive for the CLI JVMs: " + e.getMessage());
            }
        }
        return List.of();
    }

    private static boolean fresh() {
        Path jar = jar();
        return jar != null && Files.isRegularFile(ARCHIVE)
                && ARCHIVE.toFile().lastModified() >= jar.toFile().lastModified();
    }

    private static Path jar() {
        String jar = System.getProperty("shoplake.jar");
        return jar == null || !Files.isRegularFile(Path.of(jar)) ? null : Path.of(jar);
    }

    /** Starts the recording run unless another test JVM of this build has (its lock is newer than the jar). */
    private static void record() throws IOException {
        Path jar = jar();
        if (jar == null) {
            return; // not packaged: the CLI JVMs run from the classes directory, which an archive cannot take
        }
        Files.createDirectories(DIR);
        if (Files.exists(LOCK) && LOCK.toFile().lastModified() < jar.toFile().lastModified()) {
            Files.deleteIfExists(LOCK); // a lock of an earlier build's recording
        }
        try {
            Files.writeString(Files.createFile(LOCK), ProcessHandle.current().pid() + "\n");
        } catch (FileAlreadyExistsException recordedElsewhere) {
            return;
        }
        Path lake = Files.createTempDirectory("cds-recording-");
        Path partial = DIR.resolve("lakehouse.jsa." + ProcessHandle.current().pid());
        String t = "delta.`" + lake.resolve("t") + "`";
        List<String> command = new ArrayList<>(List.of(TestJvm.java()));
        command.addAll(TestJvm.sparkOptions());
        command.addAll(TestJvm.SHORT_RUN);
        command.addAll(List.of("-Xmx1g", "-XX:ArchiveClassesAtExit=" + partial.toAbsolutePath(), "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off", "-cp", TestJvm.appClasspath(), "dev.shoplake.cli.Lakehouse",
                "sql", "--conf", "spark.lakehouse.lake.root=" + lake, "-e",
                "CREATE TABLE " + t + " USING delta PARTITIONED BY (p) AS SELECT 1 AS x, 1 AS p; "
                        + "MERGE INTO " + t + " t USING (SELECT 2 AS x, 1 AS p) s ON t.x = s.x "
                        + "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *; "
                        + "SELECT p, count(*) FROM " + t + " GROUP BY p;"));
        Process recording = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(DIR.resolve("recording.log").toFile()).start();
        recording.onExit().thenAccept(p -> {
            try {
                if (p.exitValue() == 0 && Files.isRegularFile(partial)) {
                    Files.move(partial, ARCHIVE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.deleteIfExists(partial);
                }
            } catch (IOException e) {
                System.out.println("the class-data archive was not kept: " + e.getMessage());
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (recording.isAlive()) { // the test JVM ends first: no half-written archive is left
                recording.destroyForcibly();
                try {
                    recording.waitFor(10, TimeUnit.SECONDS);
                    Files.deleteIfExists(partial);
                    Files.deleteIfExists(LOCK); // the next test JVM records it
                } catch (IOException | InterruptedException ignored) {
                    // nothing to keep
                }
            }
        }));
    }
}
