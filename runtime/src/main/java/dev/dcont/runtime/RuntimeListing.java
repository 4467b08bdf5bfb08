package dev.dcont.runtime;

import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.SpecJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What runc's list and ps print, in runc's columns and fields. */
final class RuntimeListing {
    private RuntimeListing() {}

    /** One container as runc's list shows it (runc's containerState). */
    record Listed(String ociVersion, String id, int pid, String status, String bundle, String rootfs, String created,
                  Map<String, String> annotations, String owner) {}

    static List<Listed> containers(ContainerRuntime rt) throws IOException {
        List<Listed> out = new ArrayList<>();
        for (String id : rt.list()) {
            ContainerState st;
            StateDir.Stored s;
            try {
                st = rt.state(id);
                s = ContainerRuntime.stored(rt.existing(id));
            } catch (ContainerException | IOException gone) {
                continue; // deleted meanwhile
            }
            out.add(new Listed(st.ociVersion(), id, st.pid(), st.status(), st.bundle(), s.rootfs() == null ? ""
                    : s.rootfs(), rfc3339Nano(s.createdNanos()), st.annotations(),
                    owner(rt.stateRoot().resolve(id))));
        }
        return out;
    }

    /**
     * {@code list}: runc's table (ID, PID, STATUS, BUNDLE, CREATED, OWNER, laid out as Go's tabwriter with
     * minimum width 12 and padding 3 lays it out), the IDs alone with {@code quiet}, or with {@code json} the
     * containers as one JSON array.
     */
    static void list(ContainerRuntime rt, String format, boolean quiet, PrintStream out) throws IOException {
        if (!format.equals("table") && !format.equals("json")) {
            throw new IllegalArgumentException("list: --format must be table or json, not " + format);
        }
        List<Listed> all = containers(rt);
        if (quiet) {
            for (Listed c : all) {
                out.println(c.id());
            }
        } else if (format.equals("json")) {
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Listed c : all) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ociVersion", c.ociVersion());
                m.put("id", c.id());
                m.put("pid", c.pid());
                m.put("status", c.status());
                m.put("bundle", c.bundle());
                m.put("rootfs", c.rootfs());
                m.put("created", c.created());
                if (c.annotations() != null && !c.annotations().isEmpty()) {
                    m.put("annotations", c.annotations());
                }
                m.put("owner", c.owner());
                docs.add(m);
            }
            out.println(SpecJson.toCompactJson(docs));
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"));
            for (Listed c : all) {
                rows.add(List.of(c.id(), Integer.toString(c.pid()), c.status(), c.bundle(), c.created(), c.owner()));
            }
            out.print(tabwriter(rows));
        }
    }

    /** Go's text/tabwriter with runc's settings (minwidth 12, padding 3, spaces); the last cell is not padded. */
    static String tabwriter(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> r : rows) {
            for (int k = 0; k < columns - 1; k++) {
                width[k] = Math.max(width[k], Math.max(12, r.get(k).length() + 3));
            }
        }
        StringBuilder b = new StringBuilder();
        for (List<String> r : rows) {
            for (int k = 0; k < columns - 1; k++) {
                b.append(r.get(k)).append(" ".repeat(width[k] - r.get(k).length()));
            }
            b.append(r.get(columns - 1)).append('\n');
        }
        return b.toString();
    }

    /** Go's time.RFC3339Nano of a UTC time: the fraction without its trailing zeros, none when it is 0. */
    static String rfc3339Nano(long epochNanos) {
        Instant t = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L));
        String s = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC).format(t);
        if (t.getNano() != 0) {
            String f = String.format("%09d", t.getNano());
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            s += "." + f.substring(0, end);
        }
        return s + "Z";
    }

    /** The user name of the owner of the container's state directory, or #UID as runc says when it has none. */
    static String owner(Path dir) throws IOException {
        int uid = (Integer) Files.getAttribute(dir, "unix:uid");
        // the JDK looks the name up as runc does (getpwuid), and gives the number when there is none
        String name = Files.getOwner(dir).getName();
        return name.equals(Integer.toString(uid)) ? "#" + uid : name;
    }

    /**
     * {@code ps}: with {@code json} the pids of the container's cgroup as a JSON array; else runc's table: the
     * host's {@code ps} with {@code psArgs} (default {@code -ef}), its title and the rows whose PID column is one of
     * those pids.
     */
    static void ps(ContainerRuntime rt, String id, String format, List<String> psArgs, PrintStream out)
            throws IOException, ContainerException {
        if (!format.equals("table") && !format.equals("json")) {
            throw new IllegalArgumentException("ps: --format must be table or json, not " + format);
        }
        List<Integer> pids = rt.pids(id);
        if (format.equals("json")) {
            out.println(SpecJson.toCompactJson(pids));
            return;
        }
        out.print(processTable(pids, psArgs));
    }

    /**
     * The host's {@code ps} with {@code psArgs} (default {@code -ef}; a leading {@code --} is dropped): its title and
     * the rows of {@code pids}, as runc's ps and Docker's top print them.
     */
    static String processTable(List<Integer> pids, List<String> psArgs) throws IOException {
        List<String> args = new ArrayList<>(psArgs);
        if (!args.isEmpty() && args.get(0).equals("--")) {
            args.remove(0);
        }
        List<String> cmd = new ArrayList<>(List.of(HostPrograms.find("ps", List.of()).orThrow("ps", "install procps")
                .toString()));
        cmd.addAll(args.isEmpty() ? List.of("-ef") : args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = Uninterruptibly.waitFor(p);
        if (code != 0) {
            throw new IOException("ps: " + String.join(" ", cmd) + " exited with " + code + ": " + output.strip());
        }
        return filter(output, pids);
    }

    /** The title of {@code ps}'s output and its rows whose PID column is in {@code pids}. */
    static String filter(String psOutput, List<Integer> pids) {
        String[] lines = psOutput.split("\n");
        String[] titles = lines[0].trim().split("\\s+");
        int column = List.of(titles).indexOf("PID");
        if (column < 0) {
            throw new IllegalArgumentException("ps: no PID column in the output of ps (" + lines[0].strip() + ")");
        }
        StringBuilder b = new StringBuilder(lines[0]).append('\n');
        for (int k = 1; k < lines.length; k++) {
            String[] f = lines[k].trim().split("\\s+");
            if (lines[k].isBlank() || f.length <= column) {
                continue;
            }
            int pid;
            try {
                pid = Integer.parseInt(f[column]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ps: cannot read a pid in: " + lines[k].strip());
            }
            if (pids.contains(pid)) {
                b.append(lines[k]).append('\n');
            }
        }
        return b.toString();
    }
}
