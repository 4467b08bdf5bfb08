package dev.dcont.runtime;

import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.SpecJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * The commands of {@code dcont-runtime}, as runc has them, declared through picocli's programmatic API (no
 * reflection on the way to a start): create, start, state, kill, delete, list, ps, exec, pause, resume, update,
 * run, spec, features.
 */
final class RuntimeCommands {
    private final RuntimeMain.Globals g;
    private final Map<String, Map<String, Object>> args = new LinkedHashMap<>();

    RuntimeCommands(RuntimeMain.Globals g) {
        this.g = g;
    }

    static OptionSpec flag(CommandSpec into, String description, String... names) {
        OptionSpec o = OptionSpec.builder(names).type(boolean.class).initialValue(Boolean.FALSE)
                .description(description).build();
        into.addOption(o);
        return o;
    }

    static OptionSpec single(CommandSpec into, String label, String description, String... names) {
        OptionSpec o = OptionSpec.builder(names).type(String.class).paramLabel(label).description(description)
                .build();
        into.addOption(o);
        return o;
    }

    static OptionSpec repeated(CommandSpec into, String label, String description, String... names) {
        OptionSpec o = OptionSpec.builder(names).type(List.class).auxiliaryTypes(String.class).paramLabel(label)
                .description(description).build();
        into.addOption(o);
        return o;
    }

    static boolean isSet(OptionSpec flag) {
        return Boolean.TRUE.equals(flag.getValue());
    }

    private static void positional(CommandSpec into, String label, String index) {
        into.addPositional(PositionalParamSpec.builder().index(index).arity("0..1").type(String.class)
                .paramLabel(label).build());
    }

    private static void positionals(CommandSpec into, String label, String index) {
        into.addPositional(PositionalParamSpec.builder().index(index).arity("0..*").type(List.class)
                .auxiliaryTypes(String.class).paramLabel(label).build());
    }

    private static CommandSpec command(CommandSpec top, String name, String description) {
        CommandSpec c = CommandSpec.create().name(name);
        c.usageMessage().description(description);
        flag(c, "print usage", "--help", "-h");
        top.addSubcommand(name, c);
        return c;
    }

    static final List<String> NAMES = List.of("create", "start", "state", "kill", "delete", "list", "ps", "exec",
            "pause", "resume", "update", "run", "spec", "features");

    /**
     * Adds the command {@code only} to {@code top}, or every command when {@code only} is none of them: building
     * picocli's model of all the commands and their options costs more of a start than parsing one.
     */
    void addTo(CommandSpec top, String only) {
        boolean all = only == null || !NAMES.contains(only);
        CommandSpec c;
        if (all || only.equals("create")) {
            c = command(top, "create", "create a container; its process waits for start");
            single(c, "DIR", "the bundle (default: the current directory)", "--bundle", "-b");
            single(c, "FILE", "write the container's pid here", "--pid-file");
            single(c, "SOCKET", "send the terminal's master over this unix socket",
                    "--console-socket");
            createOptions(c);
            positional(c, "ID", "0");
        }
        if (all || only.equals("start")) {
            positional(command(top, "start", "start a created container"), "ID", "0");
        }
        if (all || only.equals("state")) {
            positional(command(top, "state", "print the state of a container"), "ID", "0");
        }
        if (all || only.equals("kill")) {
            c = command(top, "kill", "send a signal (default SIGTERM) to the container's init");
            flag(c, "send it to every process of the container", "--all", "-a");
            positional(c, "ID", "0");
            positional(c, "SIGNAL", "1");
        }
        if (all || only.equals("delete")) {
            c = command(top, "delete", "delete a stopped or created container");
            flag(c, "kill it first if it runs", "--force", "-f");
            positional(c, "ID", "0");
        }
        if (all || only.equals("list")) {
            c = command(top, "list", "list containers");
            flag(c, "ids only", "--quiet", "-q");
            single(c, "table|json", "output format", "--format", "-f");
        }
        if (all || only.equals("ps")) {
            c = command(top, "ps", "list the processes of a container (ps -ef, or ps with the ARGS after the ID)");
            c.parser().stopAtPositional(true);
            single(c, "table|json", "output format", "--format", "-f");
            positional(c, "ID", "0");
            positionals(c, "ARGS", "1..*");
        }
        if (all || only.equals("exec")) {
            c = command(top, "exec", "run a process in a running container");
            // as runc: what follows the ID is the command, its options included (exec ID sh -c ...)
            c.parser().stopAtPositional(true);
            single(c, "FILE", "the process, as runtime-spec process JSON", "--process", "-p");
            flag(c, "do not wait for the process", "--detach", "-d");
            single(c, "FILE", "write the process's pid here (with --detach)", "--pid-file");
            flag(c, "a terminal (relayed here; with --detach, sent to --console-socket)", "--tty", "-t");
            single(c, "SOCKET", "send the terminal's master over this unix socket",
                    "--console-socket");
            single(c, "DIR", "working directory", "--cwd");
            repeated(c, "VAR=VALUE", "environment", "--env", "-e");
            single(c, "UID[:GID]", "user", "--user", "-u");
            single(c, "N", "pass the descriptors 3 .. N+2 to the process", "--preserve-fds");
            positional(c, "ID", "0");
            positionals(c, "ARGS", "1..*");
        }
        if (all || only.equals("pause")) {
            positional(command(top, "pause", "freeze every process of a container"), "ID", "0");
        }
        if (all || only.equals("resume")) {
            positional(command(top, "resume", "thaw a paused container"), "ID", "0");
        }
        if (all || only.equals("update")) {
            c = command(top, "update", "change a container's memory, cpu and pids limits");
            single(c, "FILE", "linux.resources as JSON (- for standard input)", "--resources", "-r");
            positional(c, "ID", "0");
        }
        if (all || only.equals("run")) {
            c = command(top, "run", "create and start a container, wait for it; exits with its code");
            single(c, "DIR", "the bundle (default: the current directory)", "--bundle", "-b");
            flag(c, "return once started (create + start)", "--detach", "-d");
            single(c, "FILE", "write the container's pid here (with --detach)", "--pid-file");
            single(c, "SOCKET", "send the terminal's master over this unix socket",
                    "--console-socket");
            createOptions(c);
            positional(c, "ID", "0");
        }
        if (all || only.equals("spec")) {
            c = command(top, "spec", "write a default config.json (process.args: ARGS, default sh)");
            c.parser().stopAtPositional(true);
            single(c, "DIR", "where to write it (default: the current directory)", "--bundle", "-b");
            flag(c, "no network namespace", "--host-network");
            positionals(c, "ARGS", "0..*");
        }
        if (all || only.equals("features")) {
            command(top, "features", "print the runtime-spec features document");
        }
    }

    /** The options of create and run that make the container ({@link CreateOptions}). */
    private static void createOptions(CommandSpec c) {
        flag(c, "enter the root with MS_MOVE and chroot, not pivot_root (a root on a ramfs)", "--no-pivot");
        flag(c, "keep the caller's session keyring instead of a new one of the container's", "--no-new-keyring");
        single(c, "N", "pass the descriptors 3 .. N+2 to the container's process", "--preserve-fds");
    }

    /** Runs the parsed command; its exit code. */
    int run(ParseResult pr) throws IOException, ContainerException {
        CommandSpec c = pr.commandSpec();
        if (pr.hasMatchedOption("--help")) {
            c.commandLine().usage(System.out);
            return 0;
        }
        String name = c.name();
        if (name.equals("spec")) {
            return spec(pr);
        }
        if (name.equals("features")) {
            System.out.println(Features.json());
            return 0;
        }
        ContainerRuntime rt = new ContainerRuntime(g.root);
        ContainerControl control = new ContainerControl(rt);
        switch (name) {
            case "create" -> {
                rt.create(bundle(pr), id(pr), path(pr, "--pid-file"), path(pr, "--console-socket"), options(pr));
                return 0;
            }
            case "start" -> rt.startCreated(id(pr));
            case "state" -> System.out.println(SpecJson.toJson(rt.state(id(pr))));
            case "kill" -> {
                String sig = pr.matchedPositionalValue(1, "SIGTERM");
                rt.kill(id(pr), Signals.parse(sig), pr.hasMatchedOption("--all"));
            }
            case "delete" -> rt.delete(id(pr), pr.hasMatchedOption("--force"));
            case "pause" -> control.pause(id(pr));
            case "resume" -> control.resume(id(pr));
            case "update" -> {
                String file = pr.matchedOptionValue("--resources", null);
                if (file == null) {
                    throw new IllegalArgumentException("update: needs --resources FILE (- for standard input)");
                }
                control.update(id(pr), ContainerControl.readResources(
                        Path.of(file.equals("-") ? "/dev/stdin" : file)));
            }
            case "list" -> RuntimeListing.list(rt, pr.matchedOptionValue("--format", "table"),
                    pr.hasMatchedOption("--quiet"), System.out);
            case "ps" -> RuntimeListing.ps(rt, id(pr), pr.matchedOptionValue("--format", "table"),
                    pr.matchedPositionalValue(1, List.of()), System.out);
            case "exec" -> {
                return exec(rt, pr);
            }
            case "run" -> {
                CreateOptions options = options(pr);
                if (pr.hasMatchedOption("--detach")) {
                    String id = id(pr);
                    rt.create(bundle(pr), id, path(pr, "--pid-file"), path(pr, "--console-socket"), options);
                    rt.startCreated(id);
                    return 0;
                }
                if (pr.hasMatchedOption("--pid-file") || pr.hasMatchedOption("--console-socket")) {
                    throw new IllegalArgumentException("run: --pid-file and --console-socket are for run --detach");
                }
                // a spec with hooks goes runc's way (create, start, wait), which runs them; else the monitor's
                // (its relay, and one process less to start)
                Path b = bundle(pr);
                if (dev.dcont.runtime.spec.SpecMaps.readObject(b.resolve("config.json")).get("hooks") != null) {
                    return rt.runCreated(b, id(pr), options);
                }
                return rt.run(b, id(pr), Stdio.inherit(), options);
            }
            default -> throw new IllegalArgumentException("unknown command " + name);
        }
        return 0;
    }

    private static CreateOptions options(ParseResult pr) {
        return new CreateOptions(preserveFds(pr), pr.hasMatchedOption("--no-pivot"),
                pr.hasMatchedOption("--no-new-keyring"));
    }

    /**
     * runc's --preserve-fds N: each of the descriptors 3 .. N+2 must be open, and have been open when this program
     * started. The JVM opens its own files at the lowest free numbers, so a number the caller left free may be
     * the JVM's by now: the launcher counts how many of them the caller gave ({@code dcont.caller-fds}).
     */
    static int preserveFds(ParseResult pr) {
        String v = pr.matchedOptionValue("--preserve-fds", "0");
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0) {
            throw new IllegalArgumentException("--preserve-fds takes a number of descriptors (0 or more), not " + v);
        }
        String given = System.getProperty("dcont.caller-fds");
        for (int fd = 3; fd < 3 + n; fd++) {
            boolean open = Files.exists(Path.of("/proc/self/fd/" + fd))
                    && (given == null || fd - 3 < Integer.parseInt(given));
            if (!open) {
                throw new IllegalArgumentException("--preserve-fds " + n + ": descriptor " + fd
                        + " was not open when dcont-runtime started; give it, or a smaller N");
            }
        }
        return n;
    }

    private static String id(ParseResult pr) {
        String id = pr.matchedPositionalValue(0, null);
        if (id == null) {
            throw new IllegalArgumentException(pr.commandSpec().name() + ": needs a container ID");
        }
        if (!ContainerRuntime.isValidId(id)) {
            throw new IllegalArgumentException("bad container ID '" + id + "': use letters, digits, _ . - (max 128)");
        }
        return id;
    }

    private static Path bundle(ParseResult pr) {
        return Path.of(pr.matchedOptionValue("--bundle", "."));
    }

    private static Path path(ParseResult pr, String option) {
        String v = pr.matchedOptionValue(option, null);
        return v == null ? null : Path.of(v);
    }

    private int spec(ParseResult pr) throws IOException {
        List<String> a = pr.matchedPositionalValue(0, List.of());
        Path dir = Path.of(pr.matchedOptionValue("--bundle", "."));
        Path out = dir.resolve("config.json");
        if (Files.exists(out)) {
            throw new IllegalArgumentException("spec: " + out + " exists already; remove it first");
        }
        String json = SpecJson.toJson(DefaultSpec.docker(a.isEmpty() ? List.of("sh") : a,
                pr.hasMatchedOption("--host-network")));
        Files.write(out, (json + "\n").getBytes(StandardCharsets.UTF_8));
        return 0;
    }

    private static int exec(ContainerRuntime rt, ParseResult pr) throws IOException, ContainerException {
        int fds = preserveFds(pr);
        boolean detach = pr.hasMatchedOption("--detach");
        if (!detach && pr.hasMatchedOption("--pid-file")) {
            throw new IllegalArgumentException("exec: --pid-file is only for exec --detach");
        }
        boolean tty = pr.hasMatchedOption("--tty");
        boolean console = pr.hasMatchedOption("--console-socket");
        String id = id(pr);
        List<String> argv = pr.matchedPositionalValue(1, List.of());
        String file = pr.matchedOptionValue("--process", null);
        ProcessSpec p;
        if (file != null) {
            if (!argv.isEmpty()) {
                throw new IllegalArgumentException("exec: give either --process or ARGS, not both");
            }
            p = SpecJson.read(Path.of(file), ProcessSpec.class);
        } else {
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("exec: needs --process FILE or the command to run");
            }
            p = rt.processOf(id).withArgs(List.copyOf(argv)).withTerminal(tty);
        }
        String cwd = pr.matchedOptionValue("--cwd", null);
        if (cwd != null) {
            p = p.withCwd(cwd);
        }
        List<String> env = pr.matchedOptionValue("--env", List.of());
        if (!env.isEmpty()) {
            List<String> all = new ArrayList<>(p.env() == null ? List.of() : p.env());
            all.addAll(env);
            p = p.withEnv(all);
        }
        String user = pr.matchedOptionValue("--user", null);
        if (user != null) {
            p = p.withUser(user(user, p.user()));
        }
        if (tty) {
            p = p.withTerminal(true);
        }
        // a terminal (--tty, or the --process's own) is relayed here, or, detached, sent to the console socket
        if (console && !(detach && p.isTerminal())) {
            throw new IllegalArgumentException("exec: --console-socket is for a detached process with a terminal"
                    + " (--detach, and --tty or process.terminal)");
        }
        if (detach && p.isTerminal() && !console) {
            throw new IllegalArgumentException("exec: a detached process with a terminal needs --console-socket");
        }
        if (detach) {
            rt.execDetached(id, p, path(pr, "--pid-file"), path(pr, "--console-socket"), fds);
            return 0;
        }
        return rt.exec(id, p, Stdio.inherit(), fds);
    }

    static ProcessSpec.User user(String s, ProcessSpec.User base) {
        String[] ug = s.split(":", -1);
        try {
            long uid = Long.parseLong(ug[0]);
            long gid = ug.length > 1 ? Long.parseLong(ug[1]) : 0;
            if (ug.length > 2 || uid < 0 || gid < 0) {
                throw new NumberFormatException();
            }
            return new ProcessSpec.User(uid, gid, base == null ? null : base.umask(), List.of());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--user must be UID[:GID] (numbers), not " + s);
        }
    }
}
