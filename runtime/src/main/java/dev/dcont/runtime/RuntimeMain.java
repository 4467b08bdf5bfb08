package dev.dcont.runtime;

import dev.dcont.runtime.spec.DefaultSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code dcont-runtime}: runc's command line over {@link ContainerRuntime}, so that podman (through conmon) and
 * containerd's runc shim can drive dcont's runtime. Global options come before the command:
 * {@code --root DIR} (default /run/dcont-runtime), {@code --log FILE}, {@code --log-format text|json},
 * {@code --debug}, {@code --systemd-cgroup}, {@code --version}; the commands are {@link RuntimeCommands}'.
 * Exit code as runc's: 0, or 1 with the error on stderr (and in the log, where the callers read the last
 * error from); {@code run} and {@code exec} exit with the container's process's code.
 */
public final class RuntimeMain {
    static final String DEFAULT_ROOT = "/run/dcont-runtime";

    private RuntimeMain() {}

    public static void main(String[] argv) {
        int code = execute(argv);
        System.out.flush();
        System.err.flush();
        // no shutdown hooks to run (none registered on these paths): halting spares the JVM's shutdown sequence
        Runtime.getRuntime().halt(code);
    }

    /** The global options, as parsed; the commands read the root from here. */
    static final class Globals {
        Path root = Path.of(DEFAULT_ROOT);
        Path log;
        boolean json;
        boolean debug;
    }

    static int execute(String[] argv) {
        CommandSpec top = CommandSpec.create().name("dcont-runtime");
        OptionSpec root = RuntimeCommands.single(top, "DIR", "state directory (default " + DEFAULT_ROOT + ")",
                "--root");
        OptionSpec log = RuntimeCommands.single(top, "FILE", "where errors are logged (besides stderr)", "--log");
        OptionSpec format = RuntimeCommands.single(top, "text|json", "format of --log (default text)",
                "--log-format");
        OptionSpec debug = RuntimeCommands.flag(top, "log debug messages and stack traces", "--debug");
        OptionSpec systemd = RuntimeCommands.flag(top, "use systemd for cgroups (only cgroupfs is supported)",
                "--systemd-cgroup");
        OptionSpec version = RuntimeCommands.flag(top, "print the version", "--version", "-v");
        OptionSpec help = RuntimeCommands.flag(top, "print usage", "--help", "-h");
        Globals g = new Globals();
        RuntimeCommands commands = new RuntimeCommands(g);
        commands.addTo(top, commandWord(argv));
        CommandLine cl = new CommandLine(top);
        ParseResult pr;
        try {
            pr = cl.parseArgs(argv);
        } catch (CommandLine.ParameterException e) {
            return fail(g, e.getMessage() + " (see dcont-runtime --help)", null);
        }
        if (RuntimeCommands.isSet(help) || (pr.subcommand() == null && !RuntimeCommands.isSet(version))) {
            cl.usage(System.out);
            return pr.subcommand() == null && !RuntimeCommands.isSet(help) ? 1 : 0;
        }
        if (RuntimeCommands.isSet(version)) {
            String v = RuntimeMain.class.getPackage().getImplementationVersion();
            System.out.println("dcont-runtime version " + (v == null ? "dev" : v) + "\nspec: " + DefaultSpec.OCI_VERSION);
            return 0;
        }
        if (root.getValue() != null) {
            g.root = Path.of((String) root.getValue());
        }
        if (log.getValue() != null) {
            g.log = Path.of((String) log.getValue());
        }
        String f = format.getValue();
        if (f != null && !f.equals("text") && !f.equals("json")) {
            return fail(g, "--log-format must be text or json, not " + f, null);
        }
        g.json = "json".equals(f);
        g.debug = RuntimeCommands.isSet(debug) || System.getenv("DCONT_DEBUG") != null;
        if (RuntimeCommands.isSet(systemd)) {
            System.err.println("dcont-runtime: --systemd-cgroup: only cgroupfs is supported; going on with cgroupfs");
        }
        try {
            return commands.run(pr.subcommand());
        } catch (CommandLine.ParameterException e) {
            return fail(g, e.getMessage(), null);
        } catch (ContainerException | IOException | IllegalArgumentException | java.io.UncheckedIOException e) {
            return fail(g, e.getMessage(), e);
        } catch (RuntimeException e) {
            return fail(g, e.toString(), e);
        }
    }

    /** The first word that is not a global option or its value: the command, or null. */
    static String commandWord(String[] argv) {
        for (int k = 0; k < argv.length; k++) {
            String a = argv[k];
            if (a.equals("--root") || a.equals("--log") || a.equals("--log-format")) {
                k++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    /** runc's way to fail: the message on stderr and in the log; exit code 1. */
    static int fail(Globals g, String message, Throwable cause) {
        String msg = message == null ? "failed" : message.replace('\n', ' ').strip();
        System.err.println("dcont-runtime: " + msg);
        if (g.debug && cause != null) {
            cause.printStackTrace();
        }
        if (g.log != null) {
            try {
                Files.write(g.log, logLine(msg, g.json, Instant.now()).getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException e) {
                System.err.println("dcont-runtime: cannot write the log " + g.log + ": " + e.getMessage());
            }
        }
        return 1;
    }

    /** One line of the log, as runc writes it (logrus): json {"level","msg","time"} or text. */
    static String logLine(String msg, boolean json, Instant now) {
        String time = now.truncatedTo(ChronoUnit.NANOS).toString();
        if (json) {
            return "{\"level\":\"error\",\"msg\":" + jsonString(msg) + ",\"time\":\"" + time + "\"}\n";
        }
        return "time=\"" + time + "\" level=error msg=" + jsonString(msg) + "\n";
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
