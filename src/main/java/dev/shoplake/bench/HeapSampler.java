package dev.shoplake.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** The driver's peak heap in use, sampled: what a run needs, as opposed to what -Xmx allows. */
final class HeapSampler implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile long peak;

    private HeapSampler() {
        thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap-sampler");
        thread.setDaemon(true);
    }

    static HeapSampler start() {
        HeapSampler s = new HeapSampler();
        s.thread.start();
        return s;
    }

    long peakMib() {
        return Math.max(peak, memory.getHeapMemoryUsage().getUsed()) >> 20;
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
