package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.cgroup.Cgroups;
import dev.dcont.runtime.launch.LaunchPlanner;
import dev.dcont.runtime.launch.PlanWriter;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.spec.SpecJson;
import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.RootOnly;
import dev.dcont.testkit.Probe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Paths inside a container's root are resolved inside it when they are used: an image or a volume that plants
 * a symlink to a host directory gets its mounts, device nodes and /dev links inside the root (re-rooted, as runc
 * does), and a target that leads out of the root through a /proc magic link is refused. Each case runs with the
 * kernel's openat2 and with the stage's own walk (openat2 failing with ENOSYS, as on a kernel before 5.6).
 */
class ContainerPathsRootTest {
    @TempDir Path tmp;
    private BusyboxBundle bundle;
    private ContainerRuntime rt;
    private String id;

    enum Resolver { OPENAT2, WALK }

    /** How a launch ended: the container's exit code and output, or the stage's refusal (one message). */
    record Outcome(int code, String out, String err, String refusal) {}

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require("container path confinement root test");
        bundle = BusyboxBundle.create(tmp.resolve("bundle"));
        rt = new ContainerRuntime(tmp.resolve("state"));
        id = "p-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void noLeftovers() throws Exception {
        if (rt == null) {
            return;
        }
        assertFalse(rt.list().contains(id), "container " + id + " left behind");
        assertEquals(List.of(), bundle.cgroups.children(), "cgroup of " + id + " left behind");
        bundle.cgroups.close();
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(tmp.toString()),
                "mount under the test directory left behind");
    }

    private Outcome launch(Spec spec, Resolver how) throws Exception {
        bundle.write(spec);
        Path out = tmp.resolve("out-" + UUID.randomUUID()), err = tmp.resolve("err-" + UUID.randomUUID());
        if (how == Resolver.OPENAT2) {
            try {
                int code = rt.run(bundle.dir, id, Stdio.files(null, out, err));
                return new Outcome(code, Files.readString(out), Files.readString(err), null);
            } catch (ContainerException e) {
                return new Outcome(125, "", "", e.getMessage());
            }
        }
        // the stage run directly on its plan, under a filter that makes openat2 fail with ENOSYS
        Path state = Files.createDirectories(tmp.resolve("walk-" + UUID.randomUUID()));
        PlanWriter plan = new PlanWriter();
        new LaunchPlanner(Cgroups.detect().mountLayout()).planRun(spec, bundle.rootfs.toRealPath(),
                new LaunchPlanner.MonitorSettings(state.toString(), List.of(), List.of(), null), plan);
        Path planFile = Files.write(state.resolve("plan"), plan.toBytes());
        Process p = new ProcessBuilder(Probe.path().toString(), "without_openat2", NativeStage.path().toString(),
                planFile.toString()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stage finished");
        Path error = state.resolve("error");
        return Files.exists(error) ? new Outcome(p.exitValue(), "", Files.readString(err), Files.readString(error))
                : new Outcome(p.exitValue(), Files.readString(out), Files.readString(err), null);
    }

    private static Spec withMounts(Spec s, Spec.Mount... extra) {
        List<Spec.Mount> mounts = new ArrayList<>(s.mounts());
        mounts.addAll(List.of(extra));
        return s.withMounts(mounts);
    }

    /** What a host directory holds: name -> "file:CONTENT", "link:TARGET", "dir" or "other". */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String kind;
                if (Files.isSymbolicLink(p)) {
                    kind = "link:" + Files.readSymbolicLink(p);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    kind = "file:" + Files.readString(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    kind = "dir";
                } else {
                    kind = "other";
                }
                m.put(p.getFileName().toString(), kind);
            }
        }
        return m;
    }

    /** A host directory with two planted files, as a /dev that a hostile image points at. */
    private Path plantedHostDir(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("null"), "planted\n");
        Files.writeString(dir.resolve("keep"), "kept\n");
        return dir;
    }

    private static final Map<String, String> PLANTED = Map.of("keep", "file:kept\n", "null", "file:planted\n");

    private Path inRoot(Path hostPath) {
        return bundle.rootfs.resolve(hostPath.toString().substring(1));
    }

    private void devIsAHostDirectory(String linkTarget, Path hostDir, Resolver how) throws Exception {
        Files.delete(bundle.rootfs.resolve("dev"));
        Files.createSymbolicLink(bundle.rootfs.resolve("dev"), Path.of(linkTarget));
        Outcome o = launch(BusyboxBundle.defaultSpec("sh", "-c",
                "test -c /dev/null && echo x > /dev/null && echo null-ok; test -L /dev/stdout && echo links-ok;"
                        + " test -c /dev/pts/ptmx && echo pts-ok"), how);
        assertEquals(PLANTED, contents(hostDir), "the host directory was changed: " + o);
        assertNull(o.refusal(), o.toString());
        assertEquals(0, o.code(), o.toString());
        assertEquals(List.of("null-ok", "links-ok", "pts-ok"), o.out().lines().toList());
        assertTrue(Files.isDirectory(inRoot(hostDir), LinkOption.NOFOLLOW_LINKS),
                "/dev was not re-rooted to " + inRoot(hostDir));
    }

    @ParameterizedTest
    @EnumSource(Resolver.class)
    void aDevThatIsAnAbsoluteSymlinkToAHostDirectoryIsReRootedAndTheHostDirectoryIsUntouched(Resolver how)
            throws Exception {
        Path host = plantedHostDir("host-dev");
        devIsAHostDirectory(host.toString(), host, how);
    }

    @ParameterizedTest
    @EnumSource(Resolver.class)
    void aDevThatClimbsWithDotDotToAHostDirectoryStopsAtTheRoot(Resolver how) throws Exception {
        Path host = plantedHostDir("host-dev-up");
        devIsAHostDirectory("../../../../../../../../../../.." + host, host, how);
    }

    @ParameterizedTest
    @EnumSource(Resolver.class)
    void aSymlinkThatAVolumePlantsIsResolvedInsideTheRootForALaterMount(Resolver how) throws Exception {
        Path host = Files.createDirectories(tmp.resolve("host-target"));
        Path vol = Files.createDirectories(tmp.resolve("vol"));
        Files.createSymbolicLink(vol.resolve("b"), Path.of("../../../../../../../../../../.." + host));
        Path x = Files.createDirectories(tmp.resolve("x"));
        Files.writeString(x.resolve("marker"), "from-x\n");
        Outcome o = launch(withMounts(BusyboxBundle.defaultSpec("cat", "/a/b/c/marker"),
                new Spec.Mount("/a", "bind", vol.toString(), List.of("rbind")),
                new Spec.Mount("/a/b/c", "bind", x.toString(), List.of("rbind", "ro"))), how);
        assertEquals(Map.of(), contents(host), "a mount target was made on the host: " + o);
        assertNull(o.refusal(), o.toString());
        assertEquals(0, o.code(), o.toString());
        assertEquals("from-x\n", o.out());
        assertTrue(Files.isDirectory(inRoot(host).resolve("c")), "the mount point is not inside the root");
    }

    @ParameterizedTest
    @EnumSource(Resolver.class)
    void aMountTargetThroughProcSelfRootIsRefusedWithOneLineNamingIt(Resolver how) throws Exception {
        Path host = Files.createDirectories(tmp.resolve("host-proc"));
        String target = "/proc/self/root" + host + "/x";
        Outcome o = launch(withMounts(BusyboxBundle.defaultSpec("true"),
                new Spec.Mount(target, "tmpfs", "tmpfs", List.of())), how);
        assertEquals(Map.of(), contents(host), "a mount target was made on the host: " + o);
        assertNotNull(o.refusal(), o.toString());
        String msg = o.refusal().strip();
        assertEquals(1, msg.lines().count(), msg);
        assertTrue(msg.contains("mount target " + target + " leads out of the container root"), msg);
        assertTrue(msg.endsWith("refused"), msg);
    }

    @ParameterizedTest
    @EnumSource(Resolver.class)
    void anEtcFileThatIsAnAbsoluteSymlinkToAHostFileIsBoundInsideTheRoot(Resolver how) throws Exception {
        Path hostFile = Files.writeString(Files.createDirectories(tmp.resolve("host-etc")).resolve("hosts"),
                "10.0.0.1 host-original\n");
        Files.createSymbolicLink(bundle.rootfs.resolve("etc/hosts"), hostFile);
        Path ours = Files.writeString(tmp.resolve("hosts"), "127.0.0.1 ours\n");
        Outcome o = launch(withMounts(BusyboxBundle.defaultSpec("cat", "/etc/hosts"),
                new Spec.Mount("/etc/hosts", "bind", ours.toString(), List.of("rbind", "rprivate"))), how);
        assertEquals(Map.of("hosts", "file:10.0.0.1 host-original\n"), contents(hostFile.getParent()), o.toString());
        assertNull(o.refusal(), o.toString());
        assertEquals("127.0.0.1 ours\n", o.out(), o.toString());
        assertTrue(Files.isRegularFile(inRoot(hostFile)), "the mount point is not inside the root");
    }

    @ParameterizedTest
    @EnumSource(Resolver.class)
    void anEtcFileThatLeadsToTheHostThroughProcIsRefusedAndNothingIsMadeThere(Resolver how) throws Exception {
        Path hostDir = Files.createDirectories(tmp.resolve("host-etc-proc"));
        Files.createSymbolicLink(bundle.rootfs.resolve("etc/hosts"), Path.of("/proc/self/root" + hostDir + "/hosts"));
        Path ours = Files.writeString(tmp.resolve("hosts"), "127.0.0.1 ours\n");
        Outcome o = launch(withMounts(BusyboxBundle.defaultSpec("cat", "/etc/hosts"),
                new Spec.Mount("/etc/hosts", "bind", ours.toString(), List.of("rbind", "rprivate"))), how);
        assertEquals(Map.of(), contents(hostDir), "a file was made on the host: " + o);
        assertNotNull(o.refusal(), o.toString());
        String msg = o.refusal().strip();
        assertEquals(1, msg.lines().count(), msg);
        assertTrue(msg.contains("mount target /etc/hosts leads out of the container root"), msg);
    }

    @ParameterizedTest
    @EnumSource(Resolver.class)
    void aMaskedPathThroughAProcMagicLinkIsRefused(Resolver how) throws Exception {
        Spec spec = BusyboxBundle.defaultSpec("true");
        Linux l = spec.linux();
        List<String> masked = new ArrayList<>(l.maskedPaths());
        masked.add("/proc/self/root/tmp");
        spec = spec.withLinux(new Linux(l.namespaces(), l.resources(), l.cgroupsPath(), masked, l.readonlyPaths(),
                l.rootfsPropagation(), l.seccomp()));
        Path config = bundle.write(spec).dir.resolve("config.json");
        Outcome o = launch(SpecJson.readSpec(config), how);
        assertNotNull(o.refusal(), o.toString());
        assertTrue(o.refusal().strip().endsWith(
                "masked path /proc/self/root/tmp leads out of the container root (via /proc/1/root): refused"),
                o.toString());
    }

    @ParameterizedTest
    @EnumSource(Resolver.class)
    void aFileIsMaskedOnlyWithTheNullDeviceNotWithWhatAnImagePutsAtDevNull(Resolver how) throws Exception {
        // no /dev tmpfs: /dev is the image's, whose /dev/null is a plain file that would be bound over /proc/kcore
        Files.writeString(bundle.rootfs.resolve("dev/null"), "not a device\n");
        Spec s = BusyboxBundle.defaultSpec("cat", "/proc/kcore");
        Outcome o = launch(s.withMounts(s.mounts().stream().filter(m -> !m.destination().startsWith("/dev")).toList()),
                how);
        assertNotNull(o.refusal(), o.toString());
        assertTrue(o.refusal().strip().matches(
                ".*masked path /proc/[a-z_]+: /dev/null is not the null device \\(1:3\\): refused"), o.toString());
    }
}
