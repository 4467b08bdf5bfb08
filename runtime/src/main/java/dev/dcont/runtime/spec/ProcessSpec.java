package dev.dcont.runtime.spec;

import java.util.List;

/** {@code process} of the runtime spec: what to execute and with which identity and limits. */
public record ProcessSpec(
        Boolean terminal,
        User user,
        List<String> args,
        List<String> env,
        String cwd,
        Capabilities capabilities,
        List<Rlimit> rlimits,
        Boolean noNewPrivileges) {

    public boolean isTerminal() {
        return Boolean.TRUE.equals(terminal);
    }

    public ProcessSpec withArgs(List<String> a) {
        return new ProcessSpec(terminal, user, a, env, cwd, capabilities, rlimits, noNewPrivileges);
    }

    public ProcessSpec withTerminal(boolean t) {
        return new ProcessSpec(t, user, args, env, cwd, capabilities, rlimits, noNewPrivileges);
    }

    public ProcessSpec withUser(User u) {
        return new ProcessSpec(terminal, u, args, env, cwd, capabilities, rlimits, noNewPrivileges);
    }

    public ProcessSpec withEnv(List<String> e) {
        return new ProcessSpec(terminal, user, args, e, cwd, capabilities, rlimits, noNewPrivileges);
    }

    public ProcessSpec withCwd(String c) {
        return new ProcessSpec(terminal, user, args, env, c, capabilities, rlimits, noNewPrivileges);
    }

    public ProcessSpec withCapabilities(Capabilities c) {
        return new ProcessSpec(terminal, user, args, env, cwd, c, rlimits, noNewPrivileges);
    }

    public ProcessSpec withRlimits(List<Rlimit> r) {
        return new ProcessSpec(terminal, user, args, env, cwd, capabilities, r, noNewPrivileges);
    }

    public ProcessSpec withNoNewPrivileges(boolean n) {
        return new ProcessSpec(terminal, user, args, env, cwd, capabilities, rlimits, n);
    }

    public record User(long uid, long gid, Integer umask, List<Long> additionalGids) {}

    public record Capabilities(
            List<String> bounding,
            List<String> effective,
            List<String> inheritable,
            List<String> permitted,
            List<String> ambient) {

        /** The same list in bounding, effective and permitted; nothing inheritable or ambient (Docker's choice). */
        public static Capabilities of(List<String> caps) {
            return new Capabilities(caps, caps, List.of(), caps, List.of());
        }
    }

    public record Rlimit(String type, long hard, long soft) {}
}
