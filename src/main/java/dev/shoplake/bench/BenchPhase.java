package dev.shoplake.bench;

import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.config.Settings;
import java.util.function.Consumer;

/** A phase of the bench: what it measures goes into the run's one result and one report. */
abstract class BenchPhase {
    protected final Settings settings;
    protected final LakehouseConfig config;
    protected final Bench.Options options;
    protected final BenchResult result;
    protected final StringBuilder report;
    protected final Consumer<String> say;

    BenchPhase(Settings settings, LakehouseConfig config, Bench.Options options, BenchResult result,
               StringBuilder report, Consumer<String> say) {
        this.settings = settings;
        this.config = config;
        this.options = options;
        this.result = result;
        this.report = report;
        this.say = say;
    }
}
