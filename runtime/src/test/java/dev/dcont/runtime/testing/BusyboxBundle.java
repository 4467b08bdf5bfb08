package dev.dcont.runtime.testing;

import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.spec.SpecJson;
import dev.dcont.testkit.TestCgroupParent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * An OCI bundle around a static busybox: rootfs/bin/busybox plus one symlink per applet, and config.json. Its
 * containers' cgroups are under a parent of the bundle's own ({@link #cgroups}), unless the spec names one.
 */
public final class BusyboxBundle {
    private static List<String> applets;

    public final Path dir;
    public final Path rootfs;
    /** The parent of the cgroups of this bundle's containers: a test asserts on the cgroups under it only. */
    public final TestCgroupParent cgroups = TestCgroupParent.create("runtime");
    private int written;

    private BusyboxBundle(Path dir) {
        this.dir = dir;
        this.rootfs = dir.resolve("rootfs");
    }

    public static synchronized BusyboxBundle create(Path dir) throws IOException, InterruptedException {
        BusyboxBundle b = new BusyboxBundle(dir);
        Path bin = Files.createDirectories(b.rootfs.resolve("bin"));
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "root")) {
            Files.createDirectories(b.rootfs.resolve(d));
        }
        Files.copy(Path.of("/usr/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        if (applets == null) {
            Process p = new ProcessBuilder("/usr/bin/busybox", "--list").redirectErrorStream(true).start();
            applets = new String(p.getInputStream().readAllBytes()).lines().filter(s -> !s.isBlank()).toList();
            p.waitFor();
        }
        for (String a : applets) {
            if (!a.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
            }
        }
        Files.writeString(b.rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n");
        Files.writeString(b.rootfs.resolve("etc/group"), "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n");
        return b;
    }

    public static Spec defaultSpec(String... args) {
        return DefaultSpec.docker(List.of(args), false);
    }

    /** Writes config.json; a spec without a cgroup path gets one under {@link #cgroups}, new for each spec. */
    public BusyboxBundle write(Spec spec) throws IOException {
        if (spec.linux() != null && spec.linux().cgroupsPath() == null) {
            spec = spec.withLinux(spec.linux().withCgroupsPath(cgroups.pathOf("c" + ++written)));
        }
        Files.writeString(dir.resolve("config.json"), SpecJson.toJson(spec));
        return this;
    }
}
