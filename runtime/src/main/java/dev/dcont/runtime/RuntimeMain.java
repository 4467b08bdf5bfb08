package dev.dcont.runtime;

import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.SpecJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small runc-like command line over {@link ContainerRuntime}, for scripts and the start benchmark:
 * <pre>
 * dcont-runtime [--root DIR] run [-d] [--log FILE] [-b BUNDLE] ID
 * dcont-runtime spec [--host-network] [ARGS...]   (prints Docker's default config.json)
 * dcont-runtime [--root DIR] state ID | list | kill ID [SIGNAL] | delete [-f] ID | exec [-t] ID ARGS...
 * </pre>
 * Exit code: the container's own for run/exec, 125 when the runtime itself fails, 2 for usage errors.
 */
public final class RuntimeMain {
    private RuntimeMain() {}

    public static void main(String[] argv) {
        int code = execute(argv);
        System.out.flush();
        System.err.flush();
        // no shutdown hooks to run (none registered on these paths): halting spares the JVM's shutdown sequence
        Runtime.getRuntime().halt(code);
    }

    static int execute(String[] argv) {
        List<String> a = new ArrayList<>(Arrays.asList(argv));
        Path root = Path.of(System.getenv().getOrDefault("DCONT_STATE", "/run/dcont"));
        if (a.size() >= 2 && a.get(0).equals("--root")) {
            root = Path.of(a.get(1));
            a = a.subList(2, a.size());
        }
        if (a.isEmpty()) {
            return usage("missing command");
        }
        ContainerRuntime rt = new ContainerRuntime(root);
        String cmd = a.get(0);
        List<String> rest = new ArrayList<>(a.subList(1, a.size()));
        try {
            switch (cmd) {
                case "run": {
                    boolean detach = false;
                    Path bundle = Path.of(".");
                    Path log = null;
                    while (!rest.isEmpty() && rest.get(0).startsWith("-")) {
                        String o = rest.remove(0);
                        switch (o) {
                            case "-d", "--detach" -> detach = true;
                            case "-b", "--bundle" -> bundle = Path.of(rest.remove(0));
                            case "--log" -> log = Path.of(rest.remove(0));
                            default -> {
                                return usage("unknown option " + o);
                            }
                        }
                    }
                    if (rest.size() != 1) {
                        return usage("run needs one container id");
                    }
                    if (detach) {
                        Path l = log != null ? log : root.resolve(rest.get(0) + ".log");
                        ContainerState st = rt.start(bundle, rest.get(0), l);
                        System.out.println(st.pid());
                        return 0;
                    }
                    return rt.run(bundle, rest.get(0), Stdio.inherit());
                }
                case "spec": {
                    boolean hostNet = !rest.isEmpty() && rest.get(0).equals("--host-network");
                    if (hostNet) {
                        rest.remove(0);
                    }
                    List<String> args = rest.isEmpty() ? List.of("sh") : rest;
                    System.out.println(SpecJson.toJson(DefaultSpec.docker(args, hostNet)));
                    return 0;
                }
                case "state":
                    System.out.println(SpecJson.toJson(rt.state(one(rest))));
                    return 0;
                case "list":
                    for (String id : rt.list()) {
                        ContainerState st = rt.state(id);
                        System.out.println(id + "\t" + st.status() + "\t" + st.pid());
                    }
                    return 0;
                case "kill":
                    if (rest.isEmpty() || rest.size() > 2) {
                        return usage("kill ID [SIGNAL]");
                    }
                    rt.kill(rest.get(0), rest.size() == 2 ? Signals.parse(rest.get(1)) : 15);
                    return 0;
                case "delete": {
                    boolean force = !rest.isEmpty() && (rest.get(0).equals("-f") || rest.get(0).equals("--force"));
                    if (force) {
                        rest.remove(0);
                    }
                    rt.delete(one(rest), force);
                    return 0;
                }
                case "exec": {
                    boolean tty = !rest.isEmpty() && rest.get(0).equals("-t");
                    if (tty) {
                        rest.remove(0);
                    }
                    if (rest.size() < 2) {
                        return usage("exec [-t] ID ARGS...");
                    }
                    String id = rest.remove(0);
                    ProcessSpec p = rt.processOf(id).withArgs(List.copyOf(rest)).withTerminal(tty);
                    return rt.exec(id, p, Stdio.inherit());
                }
                default:
                    return usage("unknown command " + cmd);
            }
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        } catch (Exception e) {
            System.err.println("dcont-runtime: " + e.getMessage());
            if (System.getenv("DCONT_DEBUG") != null) {
                e.printStackTrace();
            }
            return 125;
        }
    }

    private static String one(List<String> rest) {
        if (rest.size() != 1) {
            throw new IllegalArgumentException("expected one container id");
        }
        return rest.get(0);
    }

    private static int usage(String msg) {
        System.err.println("dcont-runtime: " + msg);
        System.err.println("usage: dcont-runtime [--root DIR] run [-d] [--log FILE] [-b BUNDLE] ID | state ID | list"
                + " | kill ID [SIGNAL] | delete [-f] ID | exec [-t] ID ARGS...");
        return 2;
    }
}
