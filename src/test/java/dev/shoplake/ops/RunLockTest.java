package dev.shoplake.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoplake.config.StateException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One batch at a time per lake, on a real (local) Hadoop file system. */
class RunLockTest {
    private static final Duration BEAT = Duration.ofMillis(200);
    private static final Duration STALE = Duration.ofSeconds(5);

    @TempDir
    Path lake;

    private RunLock take(Duration wait) {
        return RunLock.acquire(lake.toString(), "batch", new Configuration(), wait, BEAT, STALE);
    }

    @Test
    void aSecondRunIsRefusedNamingTheHolderAndGetsTheLockOnceReleased() {
        try (RunLock first = take(Duration.ZERO)) {
            assertNull(first.tookOver());
            StateException refused = assertThrows(StateException.class, () -> take(Duration.ZERO));
            assertTrue(refused.getMessage().startsWith("another batch run holds the lake's lock ")
                    && refused.getMessage().contains("pid " + ProcessHandle.current().pid())
                    && refused.getMessage().endsWith("wait for it to finish, or run with --wait"), refused.getMessage());
        }
        try (RunLock again = take(Duration.ZERO)) {
            assertNull(again.tookOver(), "a released lock is simply free");
        }
    }

    @Test
    void aWaitingRunGetsTheLockWhenTheHolderFinishes() throws Exception {
        RunLock first = take(Duration.ZERO);
        CompletableFuture<RunLock> waiting = CompletableFuture.supplyAsync(() -> take(Duration.ofSeconds(30)));
        Thread.sleep(1_000);
        assertTrue(!waiting.isDone(), "it waits while the lock is held and alive");
        first.close();
        try (RunLock second = waiting.get(30, TimeUnit.SECONDS)) {
            assertNull(second.tookOver());
        }
    }

    @Test
    void aLockLeftByAKilledRunIsTakenOverAndSaysWhose() throws Exception {
        Path file = Files.createDirectories(lake.resolve("_locks")).resolve("batch.lock");
        Files.writeString(file, "pid 4242 on dead-host, since 2026-11-25T10:00:00Z", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        try (RunLock lock = take(Duration.ZERO)) {
            assertTrue(lock.tookOver().startsWith("pid 4242 on dead-host, since 2026-11-25T10:00:00Z, last alive "),
                    lock.tookOver());
            Thread.sleep(STALE.toMillis() + 1_000);
            // alive: its heartbeat keeps it from looking stale to the next run
            assertThrows(StateException.class, () -> take(Duration.ZERO));
        }
    }

    @Test
    void aLockWhoseHolderDiedOnThisMachineIsTakenOverAtOnce() throws Exception {
        Process dead = new ProcessBuilder("sleep", "60").start();
        dead.destroyForcibly().waitFor();
        String host = java.lang.management.ManagementFactory.getRuntimeMXBean().getName().replaceFirst("^\\d+@", "");
        Path file = Files.createDirectories(lake.resolve("_locks")).resolve("batch.lock");
        Files.writeString(file, "pid " + dead.pid() + " on " + host + ", since 2026-11-25T10:00:00Z", StandardCharsets.UTF_8);
        try (RunLock lock = take(Duration.ZERO)) { // touched just now, but its process is gone: no 2-minute wait
            assertTrue(lock.tookOver().startsWith("pid " + dead.pid() + " on " + host), lock.tookOver());
        }
        Process alive = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(file, "pid " + alive.pid() + " on " + host + ", since 2026-11-25T10:00:00Z",
                    StandardCharsets.UTF_8);
            assertThrows(StateException.class, () -> take(Duration.ZERO), "a live holder keeps its lock");
        } finally {
            alive.destroyForcibly();
            Files.deleteIfExists(file);
        }
    }
}
