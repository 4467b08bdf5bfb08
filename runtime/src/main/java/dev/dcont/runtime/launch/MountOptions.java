package dev.dcont.runtime.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The options of a spec mount split into mount(2) flags, propagation flags and filesystem data, as runc does. */
public record MountOptions(long flags, long clearFlags, long propagation, String data, boolean bind, boolean recursive) {
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
            MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOATIME = 1024, MS_NODIRATIME = 2048,
            MS_BIND = 4096, MS_REC = 16384, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19,
            MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24;

    public static final int MNT_DETACH = 2;

    private record Flag(boolean clear, long flag) {}

    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("defaults", new Flag(false, 0)),
            Map.entry("ro", new Flag(false, MS_RDONLY)),
            Map.entry("rw", new Flag(true, MS_RDONLY)),
            Map.entry("nosuid", new Flag(false, MS_NOSUID)),
            Map.entry("suid", new Flag(true, MS_NOSUID)),
            Map.entry("nodev", new Flag(false, MS_NODEV)),
            Map.entry("dev", new Flag(true, MS_NODEV)),
            Map.entry("noexec", new Flag(false, MS_NOEXEC)),
            Map.entry("exec", new Flag(true, MS_NOEXEC)),
            Map.entry("sync", new Flag(false, MS_SYNCHRONOUS)),
            Map.entry("async", new Flag(true, MS_SYNCHRONOUS)),
            Map.entry("dirsync", new Flag(false, MS_DIRSYNC)),
            Map.entry("remount", new Flag(false, MS_REMOUNT)),
            Map.entry("mand", new Flag(false, MS_MANDLOCK)),
            Map.entry("nomand", new Flag(true, MS_MANDLOCK)),
            Map.entry("atime", new Flag(true, MS_NOATIME)),
            Map.entry("noatime", new Flag(false, MS_NOATIME)),
            Map.entry("diratime", new Flag(true, MS_NODIRATIME)),
            Map.entry("nodiratime", new Flag(false, MS_NODIRATIME)),
            Map.entry("relatime", new Flag(false, MS_RELATIME)),
            Map.entry("norelatime", new Flag(true, MS_RELATIME)),
            Map.entry("strictatime", new Flag(false, MS_STRICTATIME)),
            Map.entry("nostrictatime", new Flag(true, MS_STRICTATIME)));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC,
            "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

    public static MountOptions parse(List<String> options) {
        long flags = 0, clear = 0, prop = 0;
        boolean bind = false, rec = false;
        List<String> data = new ArrayList<>();
        for (String o : options == null ? List.<String>of() : options) {
            Flag f = FLAGS.get(o);
            if (f != null) {
                if (f.clear) {
                    flags &= ~f.flag;
                    clear |= f.flag;
                } else {
                    flags |= f.flag;
                    clear &= ~f.flag;
                }
            } else if (PROPAGATION.containsKey(o)) {
                prop = PROPAGATION.get(o);
            } else if (o.equals("bind")) {
                bind = true;
            } else if (o.equals("rbind")) {
                bind = true;
                rec = true;
            } else {
                data.add(o);
            }
        }
        return new MountOptions(flags, clear, prop, String.join(",", data), bind, rec);
    }

    /** Propagation named in the spec's {@code rootfsPropagation}, or rprivate by default. */
    public static long rootPropagation(String name) {
        if (name == null || name.isEmpty()) {
            return MS_PRIVATE | MS_REC;
        }
        Long p = PROPAGATION.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown rootfsPropagation " + name);
        }
        return p | MS_REC;
    }

    /**
     * The option names this parser takes as mount(2) or propagation flags, or as bind, sorted; any other option is
     * filesystem data.
     */
    public static List<String> recognized() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(FLAGS.keySet());
        names.addAll(PROPAGATION.keySet());
        names.add("bind");
        names.add("rbind");
        return List.copyOf(names);
    }
}
