package dev.shoplake.cli;

import static dev.shoplake.cli.Lakehouse.say;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code lakehouse tables}: the tables and the diagrams, generated from the code. */
@Command(name = "tables", description = "Print every lake table: grain, keys, partitioning, description "
        + "(Markdown); --erd the gold star schema, --pipeline the pipeline, --source-erd the source database "
        + "(read from its catalog), as Mermaid diagrams.")
final class TablesCommand implements java.util.concurrent.Callable<Integer> {
    @ParentCommand
    Lakehouse parent;

    @Option(names = "--erd", description = "Print the gold star schema diagram instead.")
    boolean erd;

    @Option(names = "--pipeline", description = "Print the pipeline diagram instead.")
    boolean pipeline;

    @Option(names = "--source-erd", description = "Print the source database's ERD, read from its catalog.")
    boolean sourceErd;

    @Override
    public Integer call() throws java.sql.SQLException {
        if (sourceErd) {
            var pg = parent.config().postgres();
            try (var c = java.sql.DriverManager.getConnection(pg.url(), pg.user(), pg.requirePassword())) {
                System.out.print(dev.shoplake.source.db.SourceErd.generate(c));
            }
            return 0;
        }
        System.out.print(erd ? dev.shoplake.lake.TableDocs.goldErd() : pipeline
                ? dev.shoplake.lake.TableDocs.pipeline() : dev.shoplake.lake.TableDocs.tableList());
        return 0;
    }
}

