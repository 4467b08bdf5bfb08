package dev.dcont.runtime.launch;

import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.ProcessSpec;
import java.util.List;

/**
 * The steps of the process itself, for {@code run} and {@code exec} alike: pty, cwd, rlimits, bounding set,
 * groups/gid/uid, capabilities, ambient, no_new_privs, umask, execve, with the seccomp filter where runc loads it.
 */
final class ProcessPlanner {
    private ProcessPlanner() { }

    static void plan(ProcessSpec process, Linux.Seccomp seccomp, String seccompCache, Syscalls sys) {
        List<String> args = LaunchPlanner.require(process.args(), "process.args");
        if (args.isEmpty()) {
            throw new IllegalArgumentException("process.args is empty: nothing to run");
        }
        boolean noNewPrivs = Boolean.TRUE.equals(process.noNewPrivileges());
        SeccompFilter filter = seccomp == null ? null : SeccompFilter.compile(seccomp, noNewPrivs, seccompCache);
        List<String> env = process.env() == null ? List.of() : process.env();
        if (process.isTerminal()) {
            sys.openPty();
        }
        String cwd = process.cwd() == null || process.cwd().isEmpty() ? "/" : process.cwd();
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("process.cwd must be absolute: " + cwd);
        }
        sys.chdir(cwd);
        for (ProcessSpec.Rlimit r : process.rlimits() == null ? List.<ProcessSpec.Rlimit>of() : process.rlimits()) {
            sys.setrlimit(Rlimits.number(r.type()), r.soft(), r.hard());
        }
        ProcessSpec.Capabilities caps = process.capabilities() == null
                ? new ProcessSpec.Capabilities(List.of(), List.of(), List.of(), List.of(), List.of())
                : process.capabilities();
        ProcessSpec.User user = process.user() == null ? new ProcessSpec.User(0, 0, null, null) : process.user();
        if (filter != null && !noNewPrivs) {
            // runc's place without no_new_privs: loading needs CAP_SYS_ADMIN, so before anything is dropped; the
            // filter must then allow what follows (prctl, setgroups, setres[ug]id, capset, close_range, execve)
            sys.seccomp(filter);
        }
        // the bounding set is dropped while still root (needs CAP_SETPCAP)
        sys.capBounding(CapabilitySet.mask(caps.bounding()));
        sys.keepCaps(true);
        sys.setgroups(user.additionalGids() == null ? List.of() : user.additionalGids());
        sys.setgid(user.gid());
        sys.setuid(user.uid());
        sys.keepCaps(false);
        sys.capSet(CapabilitySet.mask(caps.effective()), CapabilitySet.mask(caps.permitted()),
                CapabilitySet.mask(caps.inheritable()));
        sys.capAmbient(CapabilitySet.mask(caps.ambient()));
        if (noNewPrivs) {
            sys.noNewPrivs();
        }
        sys.umask(user.umask() == null ? 0022 : user.umask());
        sys.searchPath(pathOf(env));
        if (filter != null && noNewPrivs) {
            sys.seccomp(filter); // built here, loaded by EXEC right before execve (runc's place with no_new_privs)
        }
        sys.exec(args.get(0), args, env);
    }

    static String pathOf(List<String> env) {
        for (String e : env) {
            if (e.startsWith("PATH=")) {
                return e.substring(5);
            }
        }
        return DEFAULT_PATH_VALUE;
    }

    static final String DEFAULT_PATH_VALUE = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}
