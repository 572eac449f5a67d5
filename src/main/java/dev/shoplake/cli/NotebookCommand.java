package dev.shoplake.cli;

import dev.shoplake.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lakehouse notebook}: Jupyter on notebooks/ with the project's Java kernel, over this
 * config's lake. The kernel is set up by bin/setup-notebooks.
 */
@Command(name = "notebook", description = "Open the notebooks in Jupyter (Java kernel with the project's classpath) "
        + "over this config's lake. Set up once with bin/setup-notebooks.")
final class NotebookCommand implements Callable<Integer> {
    static final Path KERNEL = Path.of("target/jupyter/kernels/shoplake-java/kernel.json");

    @ParentCommand
    Lakehouse parent;

    @Option(names = "--port", description = "Jupyter's port (default: ${DEFAULT-VALUE}).", defaultValue = "8888")
    int port;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!Files.exists(KERNEL)) {
            throw new ConfigException("the notebook kernel is not set up: run bin/setup-notebooks first");
        }
        ProcessBuilder jupyter = new ProcessBuilder(List.of("jupyter", "notebook", "--no-browser", "--ip=127.0.0.1",
                "--port=" + port, "--notebook-dir=" + Path.of("notebooks").toAbsolutePath()))
                .inheritIO();
        jupyter.environment().put("JUPYTER_PATH", Path.of("target/jupyter").toAbsolutePath().toString());
        jupyter.environment().put("SHOPLAKE_LAKE_ROOT", parent.config().lakeRoot());
        Lakehouse.say("Jupyter on notebooks/ over the lake " + parent.config().lakeRoot()
                + " (kernel 'Java (shoplake: Spark + Delta)'); Ctrl-C stops it");
        Process p;
        try {
            p = jupyter.start();
        } catch (IOException e) {
            throw new ConfigException("cannot start jupyter (run bin/setup-notebooks): " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor();
    }
}
