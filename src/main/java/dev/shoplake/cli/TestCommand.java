package dev.shoplake.cli;

import static dev.shoplake.cli.Lakehouse.say;

import dev.shoplake.config.ConfigException;
import dev.shoplake.lake.TableSpec;
import dev.shoplake.ops.DataTests;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse test}: the data tests the specs imply, on the lake as it is (read only). */
@Command(name = "test", description = "Run the data tests derived from the table specs (unique and not-null keys, "
        + "references of the star, accepted values) on every silver and gold table, or on --table; exit 1 when one fails.")
final class TestCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Lakehouse parent;

    @Option(names = "--table", description = "Only this table's tests, e.g. gold.fact_sales (repeatable).")
    List<String> tables;

    @Override
    public Integer call() {
        List<TableSpec> chosen = DataTests.modelled();
        if (tables != null && !tables.isEmpty()) {
            for (String t : tables) {
                if (chosen.stream().noneMatch(s -> s.qualifiedName().equals(t))) {
                    throw new ConfigException("no silver or gold table named " + t + " (see 'lakehouse tables')");
                }
            }
            chosen = chosen.stream().filter(s -> tables.contains(s.qualifiedName())).toList();
        }
        List<DataTests.DataTest> tests = DataTests.of(chosen);
        return parent.withJobSession("shoplake-test", (spark, config) -> {
            List<DataTests.Outcome> outcomes = DataTests.run(new dev.shoplake.lake.DeltaWriter(spark, config.lakeRoot()),
                    tests);
            for (DataTests.Outcome o : outcomes) {
                say(String.format("%-4s %s%s", o.passed() ? "ok" : "FAIL", o.test().name(),
                        o.passed() ? "" : ": " + o.failures() + " offending value(s), e.g. " + o.example()));
            }
            long failed = outcomes.stream().filter(o -> !o.passed()).count();
            say(outcomes.size() - failed + " passed, " + failed + " failed, " + (tests.size() - outcomes.size())
                    + " not run (their table does not exist yet)");
            return failed == 0 ? 0 : 1;
        });
    }
}
