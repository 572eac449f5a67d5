package dev.shoplake.query;

import java.io.IOException;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** The prompt on a real terminal: line editing and a history kept across sessions. */
final class JLineSource implements SqlShell.LineSource {
    private final Terminal terminal;
    private final LineReader reader;

    private JLineSource(Terminal terminal, LineReader reader) {
        this.terminal = terminal;
        this.reader = reader;
    }

    static JLineSource open(Path historyFile) throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).build();
        LineReader reader = LineReaderBuilder.builder().terminal(terminal)
                .variable(LineReader.HISTORY_FILE, historyFile)
                .variable(LineReader.HISTORY_SIZE, 1000)
                // a statement's text is SQL, not a shell line: no escapes, no event expansion
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .parser(new DefaultParser().escapeChars(null).eofOnUnclosedQuote(false))
                .build();
        return new JLineSource(terminal, reader);
    }

    @Override
    public String read(String prompt) {
        try {
            return reader.readLine(prompt);
        } catch (UserInterruptException ctrlC) {
            return ""; // Ctrl-C drops the line, as in spark-sql; Ctrl-D quits
        } catch (EndOfFileException ctrlD) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        reader.getHistory().save();
        terminal.close();
    }
}
