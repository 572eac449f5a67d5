package dev.shoplake.cli;

import static dev.shoplake.cli.Lakehouse.say;

import dev.shoplake.config.UnreachableException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse reconcile}: gold against the source database, day by day. */
@Command(name = "reconcile", description = "Compare gold with the source database per day; exit 1 on any difference.")
final class ReconcileCommand implements java.util.concurrent.Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Override
    public Integer call() {
        return parent.withLake("shoplake-reconcile", (spark, config) -> {
            List<dev.shoplake.ops.Reconciliation.Difference> differences;
            try {
                differences = dev.shoplake.ops.Reconciliation.compare(spark,
                        new dev.shoplake.lake.DeltaWriter(spark, config.lakeRoot()), config.postgres());
            } catch (java.sql.SQLException e) {
                throw new UnreachableException("cannot read PostgreSQL at " + config.postgres().url() + ": "
                        + e.getMessage(), e);
            }
            differences.forEach(d -> say("DIFFERENCE " + d));
            say(differences.isEmpty() ? "gold agrees with the source database" : differences.size() + " difference(s)");
            return differences.isEmpty() ? 0 : 1;
        });
    }
}

