package dev.shoplake.bronze;

import dev.shoplake.config.UnreachableException;
import dev.shoplake.config.LakehouseConfig;
import dev.shoplake.source.report.FtpSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The raw landing zone of the daily reports: {@code <lake>/landing/support_reports/<file>}, each
 * report copied byte for byte from the FTP server, once, before anything parses it. The server
 * deletes yesterday's report when today's arrives, so a copy taken on the report's own day is what
 * keeps it; fetching is cheap (no Spark job), so a daily schedule (or the demo's backfill, after
 * each simulated day) can fetch on time and parse later. Copies are written under a temporary
 * name and renamed, so a reader never sees half a file. Works on any Hadoop file system.
 */
public final class ReportLandingZone {
    private final Path dir;
    private final FileSystem fs;

    public ReportLandingZone(String lakeRoot, Configuration hadoop) {
        this.dir = new Path(dev.shoplake.lake.LakeTables.landingPath(lakeRoot, "support_reports"));
        try {
            this.fs = dir.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new UnreachableException("cannot open the lake's landing zone " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Copies every report on the server that the zone lacks; returns their names. */
    public List<String> fetchNew(LakehouseConfig.Ftp ftp) {
        TreeSet<String> have = new TreeSet<>(files());
        List<String> fetched = new ArrayList<>();
        try (FtpSession session = FtpSession.open(ftp)) {
            for (FTPFile file : session.list()) {
                String name = file.getName();
                if (SupportReportParser.reportDate(name) == null || have.contains(name)) {
                    continue; // not a report, or already kept
                }
                write(name, session.download(name));
                fetched.add(name);
            }
        } catch (IOException e) {
            throw new UnreachableException("reading reports from the FTP server at " + ftp.host() + ":" + ftp.port()
                    + ftp.dir() + " failed: " + e.getMessage(), e);
        }
        fetched.sort(null);
        return fetched;
    }

    /** The report files the zone holds, by name. */
    public List<String> files() {
        try {
            if (!fs.exists(dir)) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (FileStatus s : fs.listStatus(dir)) {
                if (s.isFile() && SupportReportParser.reportDate(s.getPath().getName()) != null) {
                    names.add(s.getPath().getName());
                }
            }
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the landing zone " + dir + ": " + e.getMessage(), e);
        }
    }

    public byte[] read(String name) {
        try (InputStream in = fs.open(new Path(dir, name))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + new Path(dir, name) + ": " + e.getMessage(), e);
        }
    }

    public String location(String name) {
        return new Path(dir, name).toString();
    }

    private void write(String name, byte[] content) throws IOException {
        Path tmp = new Path(dir, "_" + name + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(content);
        }
        if (!fs.rename(tmp, new Path(dir, name))) {
            throw new IOException("could not rename " + tmp + " to " + name);
        }
    }
}
