package dev.shoplake.cli;

import dev.shoplake.config.StateException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.notebook.Notebook;
import dev.shoplake.serve.ConnectClient;
import dev.shoplake.serve.ConnectServer;
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
 * config's lake. The kernels are thin Spark Connect clients: they use the configured
 * {@code lakehouse serve} when one answers (the demo's, say), else this command serves the lake
 * itself for as long as Jupyter runs. The kernel is set up by bin/setup-notebooks.
 */
@Command(name = "notebook", description = "Open the notebooks in Jupyter (a thin Java kernel on Spark Connect) over this "
        + "config's lake: on the running lakehouse serve, or on one this command starts. Set up once with "
        + "bin/setup-notebooks.")
final class NotebookCommand implements Callable<Integer> {
    static final Path KERNEL = Path.of("target/jupyter/kernels/shoplake-java/kernel.json");

    @ParentCommand
    Lakehouse parent;

    @Option(names = "--port", description = "Jupyter's port (default: ${DEFAULT-VALUE}).", defaultValue = "8888")
    int port;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!Files.exists(KERNEL)) {
            throw new StateException("the notebook kernel is not set up: run bin/setup-notebooks first");
        }
        LakehouseConfig config = parent.config();
        java.util.Optional<String> running = ConnectClient.answering(config.serve().url());
        if (running.isPresent()) {
            return jupyter(config, running.get());
        }
        ConnectServer.checkCanStart(config.serve());
        return parent.withLake("shoplake-notebooks", (spark, lake) -> {
            try (ConnectServer server = ConnectServer.start(spark, lake.serve())) {
                return jupyter(lake, server.url());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 130;
            }
        });
    }

    private int jupyter(LakehouseConfig config, String server) throws IOException, InterruptedException {
        ProcessBuilder jupyter = new ProcessBuilder(List.of("jupyter", "notebook", "--no-browser", "--ip=127.0.0.1",
                "--port=" + port, "--notebook-dir=" + Path.of("notebooks").toAbsolutePath()))
                .inheritIO();
        jupyter.environment().put("JUPYTER_PATH", Path.of("target/jupyter").toAbsolutePath().toString());
        jupyter.environment().put(Notebook.ENV_CONNECT, server);
        Lakehouse.say("Jupyter on notebooks/ over the lake " + config.lakeRoot() + ", its kernels on " + server
                + " (kernel 'Java (shoplake on Spark Connect)'); Ctrl-C stops it");
        Process p;
        try {
            p = jupyter.start();
        } catch (IOException e) {
            throw new StateException("cannot start jupyter (run bin/setup-notebooks): " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor();
    }
}
