package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.RootOnly;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An installed dcont (the runtime from a jar) running as root never executes a native stage from a cache directory
 * that another user can change, whichever of DCONT_CACHE, XDG_CACHE_HOME or HOME points there: a planted
 * {@code dcont-init-<sha256>} (and the shortcut link to it) is not run, and the container still runs.
 */
class NativeStageCacheTest {
    private static final int NOBODY = 65534;

    @TempDir Path tmp;
    private Path jar;
    private Path marker;
    private BusyboxBundle bundle;

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require("running the native stage as root");
        Path classes = Path.of(NativeStage.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        jar = jarOf(classes, tmp.resolve("runtime.jar"));
        marker = tmp.resolve("marker");
        bundle = BusyboxBundle.create(tmp.resolve("bundle"));
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "echo container-ran"));
    }

    @AfterEach
    void removeTheCgroupParent() throws Exception {
        if (bundle != null) {
            bundle.cgroups.close();
        }
    }

    @Test
    void aCacheOwnedByAnotherUser() throws Exception {
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        assertPlantedStageIsNotRun(cache, cache, Map.of("DCONT_CACHE", cache.toString()), true);
    }

    @Test
    void aCacheThatOthersMayWrite() throws Exception {
        Path cache = Files.createDirectory(tmp.resolve("cache"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertPlantedStageIsNotRun(cache, null, Map.of("DCONT_CACHE", cache.toString()), true);
    }

    @Test
    void aCacheBelowADirectoryThatOthersMayWrite() throws Exception {
        // root's own 0755 directory, but another user can rename it away and put one of theirs in its place
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path cache = Files.createDirectory(open.resolve("cache"));
        assertPlantedStageIsNotRun(cache, null, Map.of("DCONT_CACHE", cache.toString()), true);
    }

    @Test
    void anXdgCacheHomeOwnedByAnotherUser() throws Exception {
        Path xdg = Files.createDirectory(tmp.resolve("xdg"));
        Path cache = Files.createDirectory(xdg.resolve("dcont"));
        chown(xdg, NOBODY);
        assertPlantedStageIsNotRun(cache, cache, Map.of("XDG_CACHE_HOME", xdg.toString()), true);
    }

    @Test
    void aHomeOwnedByAnotherUser() throws Exception {
        // the JVM takes the home directory from the password database, not from $HOME: nothing to fall back from
        Path home = Files.createDirectory(tmp.resolve("home"));
        Path cache = Files.createDirectories(home.resolve(".cache/dcont"));
        chown(home, NOBODY);
        chown(home.resolve(".cache"), NOBODY);
        assertPlantedStageIsNotRun(cache, cache, Map.of("HOME", home.toString()), false);
    }

    /** Plants a stage that writes {@link #marker} in {@code cache}; {@code ownedByNobody} (and the plant) go to nobody. */
    private void assertPlantedStageIsNotRun(Path cache, Path ownedByNobody, Map<String, String> env,
            boolean expectNote) throws Exception {
        String sha;
        try (InputStream in = NativeStage.class.getResourceAsStream(NativeStage.RESOURCE + ".sha256")) {
            sha = new String(in.readAllBytes()).trim();
        }
        Path planted = Files.writeString(cache.resolve("dcont-init-" + sha), "#!/bin/sh\ntouch " + marker + "\n");
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxr-xr-x"));
        BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
        Path quick = cache.resolve("dcont-init.jar-" + Long.toHexString(a.size()) + "-"
                + Long.toHexString(a.lastModifiedTime().toMillis()) + "-" + Integer.toHexString(jar.hashCode()));
        Files.createSymbolicLink(quick, planted.getFileName());
        if (ownedByNobody != null) {
            chown(ownedByNobody, NOBODY);
            chown(planted, NOBODY);
            chown(quick, NOBODY);
        }

        String id = "t-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> cp = new ArrayList<>(List.of(jar.toString()));
        Path classes = Path.of(NativeStage.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!Path.of(e).toAbsolutePath().equals(classes.toAbsolutePath())) {
                cp.add(e);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, cp), RuntimeMain.class.getName(),
                "--root", tmp.resolve("state").toString(), "run", "-b", bundle.dir.toString(), id)
                .redirectErrorStream(true);
        pb.environment().remove("DCONT_INIT");
        pb.environment().remove("DCONT_CACHE");
        pb.environment().remove("XDG_CACHE_HOME");
        pb.environment().put("DCONT_DEBUG", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        // the shortcut to the copy in root's fallback is this test jar's alone (the copy is shared: kept)
        Files.deleteIfExists(TrustedCacheDir.ROOT_FALLBACK.resolve(quick.getFileName()));

        assertFalse(Files.exists(marker), "the stage planted in " + cache + " was run: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.lines().anyMatch("container-ran"::equals), out);
        assertEquals(expectNote, out.contains("native stage cache " + cache + " is not used"), out);
        assertEquals(List.of(), bundle.cgroups.children(), "cgroup of " + id + " left behind");
    }

    private static void chown(Path p, int uid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** The classes directory as a jar: the stage is then a resource inside a jar, as in an installed dcont. */
    static Path jarOf(Path classes, Path jar) throws IOException {
        try (OutputStream f = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(f);
                Stream<Path> files = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString()));
                try (InputStream in = Files.newInputStream(p)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }
}
