package dev.dcont.runtime.launch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records {@link Syscalls} as the plan that {@code dcont-init} reads: a sequence of NUL-terminated strings,
 * each step being its NAME, its argument count and the arguments. Numbers are written in decimal or 0x hex.
 */
public final class PlanWriter implements Syscalls {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);

    private void op(String name, Object... args) {
        put(name);
        put(Integer.toString(args.length));
        for (Object a : args) {
            put(String.valueOf(a));
        }
    }

    private void opList(String name, List<String> args) {
        put(name);
        put(Integer.toString(args.size()));
        for (String a : args) {
            put(a);
        }
    }

    private void put(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL character in plan argument: " + s.replace('\0', '@'));
        }
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    public byte[] toBytes() {
        return out.toByteArray();
    }

    @Override public void namespaces(long f) { op("NAMESPACES", hex(f)); }
    @Override public void setnsPid(String p) { op("SETNS_PID", p); }
    @Override public void stateDir(String d) { op("STATE_DIR", d); }
    @Override public void terminal() { op("TERMINAL"); }
    @Override public void detach(String log) { op("DETACH", log); }
    @Override public void cgroupJoin(String f) { op("CGROUP_JOIN", f); }
    @Override public void cgroupRemove(String d) { op("CGROUP_REMOVE", d); }

    @Override
    public void onExit(List<String> argv) {
        if (argv.isEmpty() || !argv.get(0).startsWith("/")) {
            throw new IllegalArgumentException("exit command needs an absolute path: " + argv);
        }
        opList("ON_EXIT", argv);
    }

    @Override
    public void mount(String source, String target, String fstype, long flags, String data) {
        op("MOUNT", source == null ? "" : source, target, fstype == null ? "" : fstype, hex(flags),
                data == null ? "" : data);
    }

    @Override public void mkdirAll(String p, int mode) { op("MKDIR", p, "0" + Integer.toOctalString(mode)); }
    @Override public void touch(String p, int mode) { op("TOUCH", p, "0" + Integer.toOctalString(mode)); }

    @Override
    public void mknod(String path, char type, int major, int minor, int mode, long uid, long gid) {
        op("MKNOD", path, String.valueOf(type), major, minor, "0" + Integer.toOctalString(mode), uid, gid);
    }

    @Override public void symlink(String target, String link) { op("SYMLINK", target, link); }
    @Override public void chdir(String p) { op("CHDIR", p); }
    @Override public void pivotRoot(String n, String o) { op("PIVOT_ROOT", n, o); }
    @Override public void umount(String t, int flags) { op("UMOUNT", t, flags); }
    @Override public void maskPath(String p) { op("MASK", p); }
    @Override public void readonlyPath(String p) { op("READONLY", p); }
    @Override public void sethostname(String n) { op("SETHOSTNAME", n); }
    @Override public void setdomainname(String n) { op("SETDOMAINNAME", n); }
    @Override public void loopbackUp() { op("LOOPBACK_UP"); }
    @Override public void setns(String p, long t) { op("SETNS", p, hex(t)); }
    @Override public void setrlimit(int r, long soft, long hard) { op("SETRLIMIT", r, Long.toUnsignedString(soft), Long.toUnsignedString(hard)); }
    @Override public void keepCaps(boolean k) { op("KEEPCAPS", k ? 1 : 0); }

    @Override
    public void setgroups(List<Long> gids) {
        List<String> s = new ArrayList<>();
        for (Long g : gids) {
            s.add(Long.toString(g));
        }
        opList("SETGROUPS", s);
    }

    @Override public void setgid(long g) { op("SETGID", g); }
    @Override public void setuid(long u) { op("SETUID", u); }
    @Override public void capBounding(long m) { op("CAPBSET", hex(m)); }
    @Override public void capSet(long e, long p, long i) { op("CAPS", hex(e), hex(p), hex(i)); }
    @Override public void capAmbient(long m) { op("AMBIENT", hex(m)); }
    @Override public void noNewPrivs() { op("NO_NEW_PRIVS"); }
    @Override public void umask(int m) { op("UMASK", "0" + Integer.toOctalString(m)); }
    @Override public void openPty() { op("PTY"); }
    @Override public void searchPath(String p) { op("PATH", p); }

    @Override
    public void exec(String file, List<String> args, List<String> env) {
        List<String> a = new ArrayList<>();
        a.add(file);
        a.add(Integer.toString(args.size()));
        a.addAll(args);
        a.addAll(env);
        opList("EXEC", a);
    }

    @Override
    public void deviceFilter(String cgroupDir, boolean defaultAllow, List<String> rules) {
        List<String> a = new ArrayList<>();
        a.add(cgroupDir);
        a.add(defaultAllow ? "allow" : "deny");
        a.addAll(rules);
        opList("DEVICE_FILTER", a);
    }

    @Override public void sessionKeyring(String name) { op("SESSION_KEYRING", name); }

    @Override public void openRoot(String path) { op("OPEN_ROOT", path); }

    @Override
    public void mountInRoot(String source, String target, String fstype, long flags, String data) {
        op("MOUNT_IN_ROOT", source == null ? "" : source, target, fstype == null ? "" : fstype, hex(flags),
                data == null ? "" : data);
    }

    /**
     * {@code SECCOMP now|exec CACHE-DIR DEFAULT-ACTION FLAGS NARCH ARCH... then per rule: ACTION NCOND (INDEX OP
     * VALUE VALUE-TWO)... NNAMES NAME...}; actions and values in hex, "" for no cache.
     */
    @Override
    public void seccomp(SeccompFilter f) {
        List<String> a = new ArrayList<>(8 + f.architectures().size() + 4 * f.rules().size());
        a.add(f.atExec() ? "exec" : "now");
        a.add(f.cacheDir() == null ? "" : f.cacheDir());
        a.add(hex(f.defaultAction()));
        a.add(Integer.toString(f.flags()));
        a.add(Integer.toString(f.architectures().size()));
        a.addAll(f.architectures());
        for (SeccompFilter.Rule r : f.rules()) {
            a.add(hex(r.action()));
            a.add(Integer.toString(r.conds().size()));
            for (SeccompFilter.Cond c : r.conds()) {
                a.add(Integer.toString(c.index()));
                a.add(Integer.toString(c.op()));
                a.add(hex(c.value()));
                a.add(hex(c.valueTwo()));
            }
            a.add(Integer.toString(r.names().size()));
            a.addAll(r.names());
        }
        opList("SECCOMP", a);
    }

    @Override public void stdinOpen() { op("STDIN_OPEN"); }

    @Override public void execFifo(String path) { op("EXEC_FIFO", path); }

    @Override public void hooksSync() { op("HOOKS_SYNC"); }

    @Override
    public void hook(String step, LaunchPlanner.Hook h) {
        List<String> a = new ArrayList<>();
        a.add(h.statePrefix());
        a.add(h.stateSuffix());
        a.add(Integer.toString(h.timeout()));
        a.add(h.path());
        a.add(Integer.toString(h.args().size()));
        a.addAll(h.args());
        a.addAll(h.env());
        opList(step, a);
    }

    @Override public void execDetached() { op("EXEC_DETACHED"); }

    @Override public void consoleSocket(String path) { op("CONSOLE_SOCKET", path); }

    @Override public void preserveFds(long launcherPid, int count) { op("PRESERVE_FDS", launcherPid, count); }

    @Override public void moveRoot(String rootfs) { op("MOVE_ROOT", rootfs); }
}
