package dev.shoplake.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoplake.testing.LakeServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every notebook of notebooks/ runs headless in real Jupyter with the project's Java kernel
 * (jupyter nbconvert --execute) on a small simulated lake: no cell may fail, and the charts come
 * out as images. The kernels ask the test run's one server over the small lake.
 */
@Tag("integration")
class NotebooksIT {
    private static final Path KERNEL = Path.of("target/jupyter/kernels/shoplake-java/kernel.json");

    @Test
    void everyNotebookRunsWithoutAFailingCellAndDrawsItsCharts() throws Exception {
        assertTrue(Files.exists(KERNEL), "the notebook kernel is not set up: run bin/setup-notebooks (Jupyter from "
                + "Debian packages and the Java kernel from Maven Central)");
        executeAll(LakeServer.small().url(), LakeServer.smallToken()); // the server the SQL tests ask too
    }

    /** Every notebook, its kernel a thin client of the server at {@code url}. */
    private static void executeAll(String url, String token) throws Exception {
        List<Path> notebooks;
        try (var files = Files.list(Path.of("notebooks"))) {
            notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertTrue(notebooks.size() >= 4, "the analyst's notebooks: " + notebooks);
        Path out = Files.createDirectories(Path.of("target/notebooks"));
        List<String> timings = new ArrayList<>();
        for (Path notebook : notebooks) {
            long started = System.nanoTime();
            String log = execute(notebook, out, url, token);
            timings.add(String.format("%s %.0f s", notebook.getFileName(), (System.nanoTime() - started) / 1e9));
            JsonNode executed = new ObjectMapper().readTree(out.resolve(notebook.getFileName()).toFile());
            int images = 0;
            for (JsonNode cell : executed.get("cells")) {
                if (!cell.path("cell_type").asText().equals("code")) {
                    continue;
                }
                assertTrue(cell.get("execution_count").isNumber(), notebook + ": a cell did not run: " + cell);
                for (JsonNode output : cell.get("outputs")) {
                    assertTrue(!output.path("output_type").asText().equals("error"), notebook + ": a cell failed: "
                            + output.path("ename").asText() + " " + output.path("evalue").asText() + "\n" + log);
                    if (output.path("data").has("image/png")) {
                        images++;
                    }
                }
            }
            if (!notebook.getFileName().toString().startsWith("01_")) {
                assertTrue(images >= 3, notebook + " draws its charts as images, found " + images);
            }
        }
        System.out.println("notebooks executed: " + timings);
        assertEquals(notebooks.size(), timings.size());
    }

    /**
     * nbconvert --execute, once: a kernel that does not answer is a failure like a failing cell (the
     * kernel's two start-up races are closed by {@link dev.shoplake.notebook.KernelLauncher}; this
     * test used to start a hung kernel again, up to ten times).
     */
    private static String execute(Path notebook, Path outDir, String url, String token) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.startup_timeout=60",
                "--output-dir", outDir.toAbsolutePath().toString(), notebook.toAbsolutePath().toString())
                .directory(notebook.toAbsolutePath().getParent().toFile()).redirectErrorStream(true);
        pb.environment().put("JUPYTER_PATH", Path.of("target/jupyter").toAbsolutePath().toString());
        pb.environment().put(dev.shoplake.notebook.Notebook.ENV_CONNECT, url);
        pb.environment().put(dev.shoplake.config.LakehouseConfig.ENV_CONNECT_TOKEN, token);
        Path logFile = Files.createTempFile("nbconvert-", ".log");
        Process p = pb.redirectOutput(logFile.toFile()).start();
        boolean done = p.waitFor(15, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String log = Files.readString(logFile, StandardCharsets.UTF_8);
        if (done && p.exitValue() == 0) {
            return log;
        }
        throw new AssertionError(notebook + " failed to execute:\n" + log.lines()
                .filter(l -> !l.startsWith("Parsing classpath: ") && !l.startsWith("Add ")) // the kernel's classpath echo
                .collect(java.util.stream.Collectors.joining("\n")));
    }
}
