package dev.shoplake.ops;

import dev.shoplake.config.StateException;
import dev.shoplake.config.UnreachableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One batch at a time per lake: a lock file in the lake ({@code <lake>/_locks/<name>.lock}), so it
 * holds across machines that share the lake. It is created only if absent (atomic on local file
 * systems and HDFS), says who holds it since when, and is touched every {@code heartbeat} while
 * held: a lock untouched for {@code staleAfter} belongs to a run that was killed, and the next run
 * takes it over. (On object stores without an atomic create-if-absent, two runs starting within the
 * same instant could both win; run the batch from one scheduler there.)
 */
public final class RunLock implements AutoCloseable {
    private final FileSystem fs;
    private final Path path;
    private final ScheduledExecutorService heartbeat;
    private final String tookOver;

    private RunLock(FileSystem fs, Path path, ScheduledExecutorService heartbeat, String tookOver) {
        this.fs = fs;
        this.path = path;
        this.heartbeat = heartbeat;
        this.tookOver = tookOver;
    }

    /** Who holds a lock: the holder's own description and when it was last touched. */
    public record Holder(String description, Instant touchedAt) {
    }

    /**
     * Takes the lock, waiting up to {@code wait} (zero: not at all) while another live run holds it.
     *
     * @throws StateException naming the holder when it is still held after {@code wait}
     */
    public static RunLock acquire(String lakeRoot, String name, Configuration hadoop, Duration wait,
                                  Duration heartbeatEvery, Duration staleAfter) {
        Path path = new Path(lakeRoot + "/_locks/" + name + ".lock");
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            long deadline = System.currentTimeMillis() + wait.toMillis();
            String tookOver = null;
            while (true) {
                if (create(fs, path)) {
                    ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "run-lock-heartbeat");
                        t.setDaemon(true);
                        return t;
                    });
                    beat.scheduleAtFixedRate(() -> touch(fs, path), heartbeatEvery.toMillis(), heartbeatEvery.toMillis(),
                            TimeUnit.MILLISECONDS);
                    return new RunLock(fs, path, beat, tookOver);
                }
                Holder holder = holder(fs, path);
                if (holder != null && (holder.touchedAt().plus(staleAfter).isBefore(Instant.now())
                        || diedOnThisHost(holder.description()))) {
                    // its run died without releasing it (kill -9, a lost machine): take it over
                    fs.delete(path, false);
                    tookOver = holder.description() + ", last alive " + holder.touchedAt();
                    continue;
                }
                if (System.currentTimeMillis() >= deadline) {
                    throw new StateException("another " + name + " run holds the lake's lock " + path
                            + (holder == null ? "" : ": " + holder.description() + ", alive at " + holder.touchedAt())
                            + "; wait for it to finish, or run with --wait");
                }
                Thread.sleep(Math.min(2_000, Math.max(100, deadline - System.currentTimeMillis())));
            }
        } catch (IOException e) {
            throw new UnreachableException("cannot take the run lock " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateException("interrupted while waiting for the run lock " + path, e);
        }
    }

    /** When the lock replaced a stale one: whose it was; otherwise null. */
    public String tookOver() {
        return tookOver;
    }

    /**
     * A holder on this machine whose process is gone died without releasing the lock (kill -9): no
     * need to wait {@code staleAfter} for it. Holders on other machines are judged by their heartbeat.
     */
    static boolean diedOnThisHost(String description) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^pid (\\d+) on (.+), since ").matcher(description);
        return m.find() && m.group(2).equals(thisHost())
                && ProcessHandle.of(Long.parseLong(m.group(1))).map(ph -> !ph.isAlive()).orElse(true);
    }

    private static String thisHost() {
        return ManagementFactory.getRuntimeMXBean().getName().replaceFirst("^\\d+@", "");
    }

    private static boolean create(FileSystem fs, Path path) throws IOException {
        String me = "pid " + ProcessHandle.current().pid() + " on " + thisHost() + ", since " + Instant.now();
        try (OutputStream out = fs.create(path, false)) {
            out.write(me.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(path)) {
                return false; // some file systems say 'exists' with a plain IOException
            }
            throw e;
        }
    }

    static Holder holder(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            String description = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Holder(description, Instant.ofEpochMilli(fs.getFileStatus(path).getModificationTime()));
        } catch (java.io.FileNotFoundException gone) {
            return null;
        }
    }

    private static void touch(FileSystem fs, Path path) {
        try {
            fs.setTimes(path, System.currentTimeMillis(), -1);
        } catch (IOException e) {
            // the next beat tries again; a lock left untouched too long is taken over, never silently shared
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            fs.delete(path, false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot release the run lock " + path + ": " + e.getMessage(), e);
        }
    }
}
