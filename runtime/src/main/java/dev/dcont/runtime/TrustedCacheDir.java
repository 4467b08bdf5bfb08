package dev.dcont.runtime;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the native stage is extracted to and executed from, when dcont runs from a jar: a directory that no
 * user but root and the caller can change, checked at every start, as sudo checks its configuration files and
 * sshd ({@code StrictModes}) a user's {@code authorized_keys}. Every component of its real path up to {@code /}
 * must be owned by root or the caller and not writable by group or others; a world-writable ancestor is
 * allowed only with the sticky bit ({@code /tmp}), where the next component's owner is what counts. A file
 * taken from it must be owned by root or the caller and not writable by group or others.
 *
 * <p>So the path names the same file from the check to the {@code execve}: no other user can rename, replace
 * or write anything on the way. (Hashing the file at every start instead would cost several milliseconds of a
 * start that takes a few dozen, and would need the JVM to execute the very descriptor it hashed.)
 *
 * <p>The directory is the first of {@code $DCONT_CACHE}, else {@code $XDG_CACHE_HOME/dcont}, else
 * {@code ~/.cache/dcont} (the home directory from the password database, not {@code $HOME}), else the
 * fallback: when that one fails the check, as with {@code sudo} keeping a user's {@code $XDG_CACHE_HOME}, the
 * stage goes to {@code /var/cache/dcont} (0700) for root and to {@code ~/.cache/dcont} for anyone else.
 */
final class TrustedCacheDir {
    static final Path ROOT_FALLBACK = Path.of("/var/cache/dcont");

    private TrustedCacheDir() {}

    /** The chosen directory (created 0700 if missing) and, when the wanted one failed the check, why. */
    record Choice(Path dir, String note) {}

    /**
     * The cache directory for a process with effective uid {@code uid}, created if missing, as its real path: the
     * components checked are the ones the stage is executed through (a symlink on the way, which its owner could
     * point elsewhere after the check, is not).
     */
    static Choice choose(int uid) throws IOException {
        Path wanted = wanted();
        String why = prepare(wanted, uid);
        if (why == null) {
            return new Choice(wanted.toRealPath(), null);
        }
        Path fallback = uid == 0 ? ROOT_FALLBACK : Path.of(System.getProperty("user.home"), ".cache", "dcont");
        String fallbackWhy = fallback.equals(wanted) ? why : prepare(fallback, uid);
        if (fallbackWhy != null) {
            throw new IOException("no directory to run the native stage from that only root"
                    + (uid == 0 ? "" : " and uid " + uid) + " can change: " + why
                    + (fallback.equals(wanted) ? "" : "; " + fallbackWhy) + " (set DCONT_CACHE to one)");
        }
        return new Choice(fallback.toRealPath(), "native stage cache " + wanted + " is not used (" + why + "); using "
                + fallback);
    }

    private static Path wanted() {
        String d = System.getenv("DCONT_CACHE");
        if (d != null && !d.isEmpty()) {
            return Path.of(d).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "dcont").toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".cache", "dcont");
    }

    /**
     * Creates {@code dir} (0700) below its nearest existing ancestor when that ancestor passes the check, and
     * checks {@code dir}; returns why it fails, or null.
     */
    static String prepare(Path dir, int uid) throws IOException {
        if (!Files.isDirectory(dir)) {
            List<Path> missing = new ArrayList<>();
            Path p = dir;
            while (p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                missing.add(p);
                p = p.getParent();
            }
            if (p == null || !Files.isDirectory(p)) {
                return dir + " cannot be created";
            }
            String why = check(p, uid, true);
            if (why != null) {
                return why;
            }
            for (int i = missing.size() - 1; i >= 0; i--) {
                try {
                    Files.createDirectory(missing.get(i), PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException e) {
                    // made meanwhile: the check below tells whose it is
                }
            }
        }
        return check(dir, uid, false);
    }

    /**
     * Why the directory {@code dir} could be changed by a user other than root and {@code uid}, or null. As an
     * {@code ancestor} (something is to be created in it), a sticky world-writable directory passes.
     */
    static String check(Path dir, int uid, boolean ancestor) throws IOException {
        Path real = dir.toRealPath();
        for (Path p = real; p != null; p = p.getParent()) {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            if (owner != 0 && owner != uid) {
                return p + " is owned by uid " + owner;
            }
            if ((mode & 022) != 0 && ((p == real && !ancestor) || (mode & 01000) == 0)) {
                return p + " is writable by group or others";
            }
        }
        return null;
    }

    /** Whether {@code file} (in a directory that passed the check) is a file only root and {@code uid} can change. */
    static boolean ownFile(Path file, int uid) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            return (mode & 0170000) == 0100000 && (owner == 0 || owner == uid) && (mode & 022) == 0
                    && (mode & 0100) != 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The effective uid of this process (from /proc/self/status: no native call on the way to a start). */
    static int euid() {
        try {
            // "Uid:\treal\teffective\tsaved\tfs\n", read by hand (no regex or charset decoder on the way to a start)
            byte[] b = Files.readAllBytes(Path.of("/proc/self/status"));
            for (int i = 0; i + 4 < b.length; i++) {
                if ((i == 0 || b[i - 1] == '\n') && b[i] == 'U' && b[i + 1] == 'i' && b[i + 2] == 'd' && b[i + 3] == ':') {
                    int k = i + 4;
                    while (b[k] == '\t' || b[k] == ' ') {
                        k++;
                    }
                    while (b[k] >= '0' && b[k] <= '9') {
                        k++; // the real uid
                    }
                    while (b[k] == '\t' || b[k] == ' ') {
                        k++;
                    }
                    int uid = 0;
                    int start = k;
                    while (b[k] >= '0' && b[k] <= '9') {
                        uid = uid * 10 + (b[k++] - '0');
                    }
                    if (k > start) {
                        return uid;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // below
        }
        throw new IllegalStateException("cannot read the effective uid from /proc/self/status");
    }
}
