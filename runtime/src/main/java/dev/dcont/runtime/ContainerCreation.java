package dev.dcont.runtime;

import dev.dcont.runtime.cgroup.CgroupManager;
import dev.dcont.runtime.cgroup.DeviceRules;
import dev.dcont.runtime.launch.LaunchPlanner;
import dev.dcont.runtime.launch.PlanWriter;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.PrivateFiles;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.spec.SpecMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The making of a container for {@code run} and {@code start}: its state directory, its cgroup, the plan that
 * the already started stage waits for, and state.json. This is the start path: see docs/runtime.md, Start
 * latency, for what it avoids.
 */
final class ContainerCreation {
    private final Path stateRoot;
    private final HostCgroups cgroups;

    ContainerCreation(Path stateRoot, HostCgroups cgroups) {
        this.stateRoot = stateRoot;
        this.cgroups = cgroups;
    }

    /** The state directory of a new container {@code id}, made 0700; refused when the container exists. */
    StateDir prepare(Path bundle, String id) throws IOException, ContainerException {
        StateDir sd = new StateDir(stateRoot, id);
        if (Files.exists(sd.stateJson())) {
            throw new ContainerException("container " + id + ": already exists in " + stateRoot
                    + " (delete it first)");
        }
        // 0700, the state root too: the plan and state.json hold the container's environment
        PrivateFiles.createDirectories(stateRoot);
        PrivateFiles.createDirectories(sd.dir);
        return sd;
    }

    /**
     * Reads the bundle, creates the cgroup and hands the plan to {@code stage} (already started, waiting for it).
     * Returns the container's cgroup. On failure the stage is killed and everything created here is removed.
     */
    CgroupManager create(Path bundle, StateDir sd, String detachLog, List<String> onExit, boolean input,
                            EarlyStage stage) throws IOException, ContainerException {
        return create(bundle, sd, detachLog, onExit, input, stage, null, CreateOptions.NONE);
    }

    /**
     * As above; with {@code oci} (not null), runc's create: the process waits on the exec fifo for start, no
     * monitor stays, and the spec's hooks run (see oci.c); {@code oci} is the console socket, or empty for none.
     * {@code options}: runc's --preserve-fds, --no-pivot and --no-new-keyring.
     */
    CgroupManager create(Path bundle, StateDir sd, String detachLog, List<String> onExit, boolean input,
                         EarlyStage stage, String oci, CreateOptions options) throws IOException, ContainerException {
        String id = sd.dir.getFileName().toString();
        CgroupManager cg = null;
        try {
            Path b = bundle.toAbsolutePath().normalize();
            Path configJson = b.resolve("config.json");
            java.util.Map<String, Object> config = SpecMaps.readObject(configJson);
            Spec spec = SpecMaps.specOf(config, configJson);
            if (spec.root() == null || spec.root().path() == null) {
                throw new ContainerException("bundle " + b + ": config.json has no root.path");
            }
            Path rootfs = b.resolve(spec.root().path()).toRealPath();
            Linux linux = spec.linux();
            String cgroupsPath = linux != null && linux.cgroupsPath() != null && !linux.cgroupsPath().isEmpty()
                    ? linux.cgroupsPath() : "/dcont/" + id;
            cg = cgroups.get().manager(cgroupsPath);
            cg.create(linux == null ? null : linux.resources());
            List<String> procs = strings(cg.procsFiles());
            List<String> dirs = strings(cg.directories());
            List<String> nsTypes = new ArrayList<>();
            if (linux != null && linux.namespaces() != null) {
                for (Linux.Namespace n : linux.namespaces()) {
                    nsTypes.add(n.type());
                }
            }
            LaunchPlanner.MonitorSettings settings = new LaunchPlanner.MonitorSettings(sd.dir.toString(), procs, dirs,
                    detachLog, onExit).withSessionKeyring(options.noNewKeyring() ? null : sessionKeyring(id))
                    .withSeccompCache(StateDir.seccompCache(stateRoot)).withStdinOpen(input)
                    .withPreservedFds(preserved(options.preserveFds())).withNoPivot(options.noPivot());
            Path filtered = cg.deviceFilterCgroup();
            if (filtered != null) {
                DeviceRules devices = DeviceRules.of(linux == null ? null : linux.resources());
                settings = settings.withDeviceFilter(new LaunchPlanner.DeviceFilter(filtered.toString(),
                        devices.defaultAllow(), devices.texts()));
            }
            if (oci != null) {
                OciHooks hooks = OciHooks.parse(config.get("hooks"));
                String[] creating = OciHooks.statePieces(spec.ociVersion(), id, "creating", b.toString(),
                        spec.annotations());
                String[] created = OciHooks.statePieces(spec.ociVersion(), id, "created", b.toString(),
                        spec.annotations());
                List<LaunchPlanner.Hook> runtimeHooks = new ArrayList<>(
                        OciHooks.planned(hooks.of("prestart"), creating));
                runtimeHooks.addAll(OciHooks.planned(hooks.of("createRuntime"), creating));
                settings = settings.withOci(new LaunchPlanner.OciCreate(sd.execFifo().toString(), runtimeHooks,
                        OciHooks.planned(hooks.of("createContainer"), creating),
                        OciHooks.planned(hooks.of("startContainer"), created), oci.isEmpty() ? null : oci));
                java.util.Map<String, Object> kept = hooks.kept();
                if (!kept.isEmpty()) {
                    SpecMaps.writeObject(sd.hooksFile(), kept);
                }
            }
            PlanWriter plan = new PlanWriter();
            new LaunchPlanner(cgroups.get().mountLayout()).planRun(spec, rootfs, settings, plan);
            java.time.Instant now = java.time.Instant.now();
            new StateDir.Stored(spec.ociVersion(), id, b.toString(), spec.annotations(), cgroupsPath, dirs, procs,
                    nsTypes, detachLog != null, rootfs.toString(), now.getEpochSecond() * 1_000_000_000L + now.getNano(),
                    options.noNewKeyring()).write(sd.stateJson());
            // last: once the plan is in place the stage runs it, so nothing after this may fail
            PrivateFiles.write(sd.plan(), plan.toBytes());
            return cg;
        } catch (IOException | ContainerException | RuntimeException e) {
            stage.cancel();
            if (cg != null) {
                try {
                    cg.destroy();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            StateDir.deleteTree(sd.dir);
            if (e instanceof IllegalArgumentException) {
                throw new ContainerException("container " + id + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** runc's --preserve-fds N: this process's descriptors 3 .. 3+N-1, which the stage, its child, takes; null for none. */
    static LaunchPlanner.PreservedFds preserved(int n) {
        return n == 0 ? null : new LaunchPlanner.PreservedFds(ProcessHandle.current().pid(), n);
    }

    /** The session keyring of container {@code id}, which its processes share (runc's name for it). */
    static String sessionKeyring(String id) {
        return "_ses." + id;
    }

    private static List<String> strings(List<Path> paths) {
        List<String> out = new ArrayList<>(paths.size());
        for (Path p : paths) {
            out.add(p.toString());
        }
        return out;
    }
}
