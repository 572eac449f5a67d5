package dev.shoplake.query;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named queries of a .sql file: each starts with a {@code -- name: <name>} line, then comment
 * lines that say what it answers, then one statement. The dashboard, the notebooks and the tests
 * take their SQL from here, so a question is answered in one place.
 */
public final class NamedQueries {
    /** The dashboard's questions (src/main/resources/queries/dashboard.sql). */
    public static final String DASHBOARD = "/queries/dashboard.sql";

    public record Query(String name, String description, String sql) {
    }

    private NamedQueries() {
    }

    public static Map<String, Query> dashboard() {
        return load(DASHBOARD);
    }

    public static Map<String, Query> load(String resource) {
        try (InputStream in = NamedQueries.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no query file " + resource + " on the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Query> parse(String text) {
        Map<String, Query> queries = new LinkedHashMap<>();
        String[] blocks = text.split("(?m)^-- name: ");
        for (int i = 1; i < blocks.length; i++) {
            String block = blocks[i];
            String name = block.lines().findFirst().orElseThrow().strip();
            StringBuilder description = new StringBuilder();
            for (String line : block.lines().skip(1).toList()) {
                if (!line.startsWith("--")) {
                    break;
                }
                description.append(description.isEmpty() ? "" : " ").append(line.substring(2).strip());
            }
            List<String> statements = StatementSplitter.script(block.substring(block.indexOf('\n') + 1));
            if (statements.size() != 1) {
                throw new IllegalStateException("query " + name + " must be one statement, found " + statements.size());
            }
            if (queries.put(name, new Query(name, description.toString(), statements.get(0))) != null) {
                throw new IllegalStateException("query " + name + " is named twice");
            }
        }
        return Collections.unmodifiableMap(queries);
    }
}
