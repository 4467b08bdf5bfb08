package dev.dcont.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Finds the native stage {@code dcont-init}. The Maven build compiles src/main/c/*.c (static) into
 * the classes directory as the resource {@code dev/dcont/runtime/native/dcont-init} with its SHA-256 beside it,
 * so it ships inside the runtime jar. Lookup order: the {@code DCONT_INIT} environment variable or
 * {@code dcont.init} system property (a path); the resource itself when the classes are a directory (tests,
 * exploded installs); otherwise the resource extracted once to {@code <cache>/dcont-init-<sha256>} where
 * cache is {@code $DCONT_CACHE}, else {@code $XDG_CACHE_HOME/dcont}, else {@code ~/.cache/dcont}, when only
 * root and the caller can change it, else a fallback ({@link TrustedCacheDir}); a symlink
 * {@code dcont-init.jar-<size>-<mtime>-<pathhash>} to it lets later starts skip opening the jar. What earlier
 * builds and installs left there is removed a week after it was made ({@link #pruneCache}).
 */
public final class NativeStage {
    static final String RESOURCE = "/dev/dcont/runtime/native/dcont-init";
    private static volatile Path cached;

    private NativeStage() {}

    public static Path path() {
        Path p = cached;
        if (p == null) {
            synchronized (NativeStage.class) {
                if (cached == null) {
                    cached = locate();
                }
                p = cached;
            }
        }
        return p;
    }

    private static Path locate() {
        String override = System.getProperty("dcont.init", System.getenv("DCONT_INIT"));
        if (override != null && !override.isEmpty()) {
            return Path.of(override);
        }
        try {
            Path jar = ownJar();
            Path quick = null;
            if (jar != null) {
                // an installed dcont: the copy extracted from this very jar, found with a stat of the jar (reading
                // a resource would open the jar)
                quick = quickKey(cache().dir(), jar);
                Path linked = linkedCopy(quick);
                if (linked != null) {
                    return linked;
                }
            }
            URL url = NativeStage.class.getResource(RESOURCE);
            if (url == null) {
                throw new IllegalStateException("dcont-init is missing from the classpath (" + RESOURCE
                        + "); build the runtime module with mvn, which compiles it with gcc");
            }
            if (url.getProtocol().equals("file")) {
                Path p = Path.of(url.toURI());
                if (!Files.isExecutable(p)) {
                    p.toFile().setExecutable(true);
                }
                return p;
            }
            return extract(cache().dir(), quick);
        } catch (IOException e) {
            throw new UncheckedIOException("dcont-init: cannot extract the native stage: " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int uid = -1;
    private static TrustedCacheDir.Choice cache;

    /** The cache directory, chosen once; under {@code --debug} says so when the wanted one is not safe to use. */
    private static TrustedCacheDir.Choice cache() throws IOException {
        if (cache == null) {
            uid = TrustedCacheDir.euid();
            cache = TrustedCacheDir.choose(uid);
            if (cache.note() != null && (Boolean.getBoolean("dcont.debug") || System.getenv("DCONT_DEBUG") != null)) {
                System.err.println("dcont: " + cache.note());
            }
        }
        return cache;
    }

    /** The jar these classes come from, or null (a classes directory). */
    private static Path ownJar() {
        try {
            java.security.CodeSource cs = NativeStage.class.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null || !cs.getLocation().getProtocol().equals("file")) {
                return null;
            }
            Path jar = Path.of(cs.getLocation().toURI());
            return jar.getFileName().toString().endsWith(".jar") ? jar : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A cheap name for the extracted copy of this jar's stage: the jar's size, mtime and path hash, so that a
     * start needs only a stat of the jar, not reading it (the content hash is checked when extracting).
     */
    private static Path quickKey(Path dir, Path jar) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(jar,
                    java.nio.file.attribute.BasicFileAttributes.class);
            return dir.resolve("dcont-init.jar-" + Long.toHexString(a.size()) + "-"
                    + Long.toHexString(a.lastModifiedTime().toMillis()) + "-" + Integer.toHexString(jar.hashCode()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The copy {@code quick} links to, if it is a link to a copy in the cache that only root and the caller own. */
    private static Path linkedCopy(Path quick) {
        if (quick == null) {
            return null;
        }
        try {
            String name = Files.readSymbolicLink(quick).toString();
            if (!isCopyName(name)) {
                return null;
            }
            Path copy = quick.resolveSibling(name);
            return TrustedCacheDir.ownFile(copy, uid) ? copy : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** {@code dcont-init-} and 64 hex digits, checked by hand (no regex on the way to a start). */
    static boolean isCopyName(String name) {
        if (name.length() != 75 || !name.startsWith("dcont-init-")) {
            return false;
        }
        for (int i = 11; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** Extracts the stage into the cache; {@code quick} (may be null) becomes a shortcut to it for later starts. */
    private static Path extract(Path dir, Path quick) throws IOException {
        Path target = extractVerified(dir);
        pruneCache(dir, target, System.currentTimeMillis() - PRUNE_AFTER_MS);
        if (quick != null) {
            try {
                Path tmp = dir.resolve(quick.getFileName() + ".tmp" + ProcessHandle.current().pid());
                Files.deleteIfExists(tmp);
                Files.createSymbolicLink(tmp, target.getFileName());
                Files.move(tmp, quick, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                // only a shortcut
            }
        }
        return target;
    }

    /** Shortcuts and copies in the cache untouched for this long are what earlier installs left. */
    static final long PRUNE_AFTER_MS = 7L * 24 * 3600 * 1000;

    /**
     * Removes what earlier builds and installs left in the cache (each one extracts a copy of its own stage, and
     * nothing else would remove it): shortcuts whose copy is gone or that were made before {@code cutoffMillis},
     * and copies made before it that no remaining shortcut points to, except {@code keep}. A dcont whose copy
     * went extracts it again at its next start. Runs only when a stage is extracted, i.e. at the first start of
     * a new jar.
     */
    static void pruneCache(Path dir, Path keep, long cutoffMillis) {
        java.util.Set<String> linked = new java.util.HashSet<>();
        java.util.List<Path> copies = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "dcont-init*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith("dcont-init.jar-") && Files.isSymbolicLink(p)) {
                    Path to = dir.resolve(Files.readSymbolicLink(p));
                    long made = Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis();
                    if (!Files.exists(to) || made < cutoffMillis) {
                        Files.deleteIfExists(p);
                    } else {
                        linked.add(to.getFileName().toString());
                    }
                } else if (isCopyName(name)) {
                    copies.add(p);
                }
            }
            for (Path c : copies) {
                if (!c.equals(keep) && !linked.contains(c.getFileName().toString())
                        && Files.getLastModifiedTime(c).toMillis() < cutoffMillis) {
                    Files.deleteIfExists(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            // only tidying: a cache that cannot be listed or cleaned still works
        }
    }

    private static Path extractVerified(Path dir) throws IOException {
        String expected;
        try (InputStream in = NativeStage.class.getResourceAsStream(RESOURCE + ".sha256")) {
            if (in == null) {
                throw new IOException("missing " + RESOURCE + ".sha256");
            }
            expected = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
        }
        Path target = dir.resolve("dcont-init-" + expected);
        if (TrustedCacheDir.ownFile(target, uid)) {
            return target;
        }
        byte[] bytes;
        try (InputStream in = NativeStage.class.getResourceAsStream(RESOURCE)) {
            bytes = in.readAllBytes();
        }
        String actual = sha256(bytes);
        if (!actual.equals(expected)) {
            throw new IOException("dcont-init resource has sha256 " + actual + ", expected " + expected);
        }
        Path tmp = Files.createTempFile(dir, ".dcont-init", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.write(tmp, bytes);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
