package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dcont.runtime.cgroup.Cgroups;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.RootOnly;
import dev.dcont.testkit.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup v2 device filter for real: containers run in a cgroup of the host's unified hierarchy (the whole
 * hierarchy on a v2 host; the controller-less unified mount of a hybrid one, which takes device programs all the
 * same), where the monitor attaches the BPF program made from the spec's device rules. The probe, with CAP_MKNOD,
 * makes device nodes in the container's /dev and opens them.
 */
class DeviceFilterRootTest {
    @TempDir Path tmp;
    private BusyboxBundle bundle;
    private Path unified;
    private String cgroup;
    private ContainerRuntime rt;
    private String id;

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require("device filter root test");
        unified = unifiedHierarchy();
        bundle = BusyboxBundle.create(tmp.resolve("bundle"));
        Files.copy(Probe.path(), bundle.rootfs.resolve("probe"), StandardCopyOption.COPY_ATTRIBUTES);
        cgroup = "dcont-test-devices-" + UUID.randomUUID().toString().substring(0, 8);
        rt = new ContainerRuntime(tmp.resolve("state"), Cgroups.unifiedAt(unified));
        id = "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void noCgroupLeft() {
        if (cgroup != null) {
            assertFalse(Files.exists(unified.resolve(cgroup)), "cgroup " + cgroup + " left behind");
        }
    }

    /** Where the host mounts cgroup2: /sys/fs/cgroup on a v2 host, /sys/fs/cgroup/unified on a hybrid one. */
    private static Path unifiedHierarchy() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] pre = line.split(" - ")[0].split(" ");
            String[] post = line.split(" - ").length > 1 ? line.split(" - ")[1].split(" ") : new String[0];
            if (post.length > 0 && post[0].equals("cgroup2") && pre[4].startsWith("/sys/fs/cgroup")) {
                return Path.of(pre[4]);
            }
        }
        String msg = "device filter root test needs a cgroup2 mount under /sys/fs/cgroup";
        if (RootOnly.onCi()) {
            fail(msg);
        }
        Assumptions.abort(msg + " - skipped");
        return null;
    }

    private List<String> probe(Linux.Resources resources, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/probe"));
        cmd.addAll(List.of(args));
        Spec s = BusyboxBundle.defaultSpec(cmd.toArray(String[]::new));
        Linux linux = s.linux().withCgroupsPath("/" + cgroup);
        bundle.write(s.withLinux(resources == null ? linux : linux.withResources(resources)));
        Path out = tmp.resolve("out-" + UUID.randomUUID()), err = tmp.resolve("err-" + UUID.randomUUID());
        int code = rt.run(bundle.dir, id, Stdio.files(null, out, err));
        assertEquals(0, code, Files.readString(err));
        return Files.readString(out).lines().toList();
    }

    @Test
    void withDockersRulesADeviceNodeMadeInsideCannotBeOpenedUnlessAllowed() throws Exception {
        // /dev/kmsg (1:11) is not in Docker's list, /dev/null (1:3) is; mknod of any node is. kmsg opened for
        // writing needs no capability, so nothing but the device filter refuses it
        assertEquals(List.of("mknod: allowed", "open_write: refused (EPERM)", "mknod: allowed", "open_write: allowed"),
                probe(null, "mknod_open_write", "/dev/probe-kmsg", "1", "11",
                        "mknod_open_write", "/dev/probe-null", "1", "3"));
    }

    @Test
    void theRulesComeFromTheSpec() throws Exception {
        // the spec allows /dev/kmsg and takes mknod of other nodes away; /dev/null stays usable
        List<Linux.DeviceRule> rules = List.of(new Linux.DeviceRule(false, "a", null, null, "rwm"),
                new Linux.DeviceRule(true, "c", 1L, 11L, "mw"));
        assertEquals(List.of("mknod: allowed", "open_write: allowed", "mknod: refused (EPERM)", "mknod: allowed",
                        "open_write: allowed"),
                probe(new Linux.Resources(null, null, null, rules), "mknod_open_write", "/dev/probe-kmsg", "1", "11",
                        "mknod_open_write", "/dev/probe-port", "1", "4", "mknod_open_write", "/dev/probe-null", "1",
                        "3"));
    }
}
