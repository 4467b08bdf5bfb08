package dev.dcont.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The host programs dcont runs as root (netavark, aardvark-dns, util-linux's unshare, procps' ps), taken only
 * from files that no user but root can change: a program is looked for in the directories its package installs
 * it to, then in {@code $PATH}, and a candidate counts only when it is a regular executable owned by root and
 * not writable by group or others, in a directory whose every component up to {@code /} is the same
 * ({@link TrustedCacheDir#check}, with a world-writable ancestor allowed only with the sticky bit). So a root
 * {@code $PATH} that holds a user's directory, or a package directory that a group may write, cannot hand
 * root another program under the same name. The checks are made on the real path, which is what is executed.
 */
public final class HostPrograms {
    private static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * The {@code PATH} a host program that runs others (netavark runs iptables or nft, modprobe) is given:
     * the distribution's own directories, not the caller's {@code $PATH}, which these programs would search as
     * found.
     */
    public static final String CHILD_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

    private HostPrograms() {}

    /** What was found: the program's real path, or null and why each candidate was not used. */
    public record Found(Path path, List<String> refused) {
        /** The path, or an {@link IOException} that names the program and why no candidate was used. */
        public Path orThrow(String name, String hint) throws IOException {
            if (path != null) {
                return path;
            }
            throw new IOException(name + (refused.isEmpty() ? " is not installed"
                    : " is not used: " + String.join("; ", refused)) + (hint.isEmpty() ? "" : " (" + hint + ")"));
        }
    }

    /**
     * The first trusted {@code name} in {@code dirs} (the package's own directories, searched first) and then
     * in {@code $PATH} (or a system path when it is unset).
     */
    public static Found find(String name, List<String> dirs) {
        Set<String> search = new LinkedHashSet<>(dirs);
        String path = System.getenv("PATH");
        for (String d : (path == null || path.isEmpty() ? SYSTEM_PATH : path).split(":")) {
            if (!d.isEmpty()) {
                search.add(d);
            }
        }
        List<String> refused = new ArrayList<>();
        for (String d : search) {
            Path candidate = Path.of(d, name);
            if (!Files.isExecutable(candidate) || Files.isDirectory(candidate)) {
                continue;
            }
            String why = whyUntrusted(candidate);
            if (why == null) {
                try {
                    return new Found(candidate.toRealPath(), List.of());
                } catch (IOException e) {
                    why = candidate + " cannot be resolved: " + e.getMessage();
                }
            }
            refused.add(why);
        }
        return new Found(null, refused);
    }

    /** Why {@code candidate} could be changed by a user other than root, or null. */
    static String whyUntrusted(Path candidate) {
        if (!candidate.isAbsolute()) {
            return candidate + " is not an absolute path";
        }
        try {
            Path real = candidate.toRealPath();
            if (!TrustedCacheDir.ownFile(real, 0)) {
                return real + " is not a root-owned executable file that only root can write";
            }
            return TrustedCacheDir.check(real.getParent(), 0, false);
        } catch (IOException e) {
            return candidate + " cannot be checked: " + e.getMessage();
        }
    }
}
