package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import dev.dcont.runtime.launch.CapabilitySet;
import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.Spec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Turns an image's process and the run flags into an OCI runtime spec, with Docker's defaults. */
public final class SpecFactory {
  /** Where Docker mounts its init; dcont's goes to the same place. */
  public static final String INIT_PATH = "/sbin/docker-init";

  private SpecFactory() { }

  /**
   * Docker's OpenStdin ({@code -i}) kept in the container's spec: started detached, such a container's input stays
   * open for {@code attach} rather than being at its end from the start.
   */
  public static final String OPEN_STDIN = "dev.dcont.open-stdin";

  /** Files of the container that are bind-mounted over the image's. */
  public record EtcFiles(Path hostname, Path hosts, Path resolvConf) { }

  public static Spec build(ProcessConfig process, UserSpec.Resolved user, RunFlags flags, String hostname,
      EtcFiles etc, String cgroupsPath, Path initBinary) {
    List<String> args = new ArrayList<>(process.args());
    if (flags.init()) {
      args.addAll(0, List.of(INIT_PATH, "--"));
    }
    Spec spec = DefaultSpec.docker(args, flags.hostNetwork());
    List<String> env = new ArrayList<>(process.env());
    if (process.env("HOME") == null) {
      env.add("HOME=" + user.home());
    }
    List<Long> groups = user.additionalGids().stream().map(Integer::longValue).toList();
    List<String> caps = capabilities(flags);
    ProcessSpec p = spec.process()
        .withEnv(env)
        .withCwd(process.cwd())
        .withTerminal(flags.tty())
        .withUser(new ProcessSpec.User(user.uid(), user.gid(), null, groups.isEmpty() ? null : groups))
        .withCapabilities(ProcessSpec.Capabilities.of(caps));
    if (flags.security().noNewPrivileges()) {
      p = p.withNoNewPrivileges(true);
    }
    spec = spec.withProcess(p).withHostname(hostname).withRoot(new Spec.Root("rootfs", flags.readOnly()));

    List<Spec.Mount> mounts = new ArrayList<>(spec.mounts());
    mounts.add(bind(etc.hostname(), "/etc/hostname", false));
    mounts.add(bind(etc.hosts(), "/etc/hosts", false));
    mounts.add(bind(etc.resolvConf(), "/etc/resolv.conf", false));
    if (flags.init()) {
      mounts.add(bind(initBinary, INIT_PATH, true));
    }
    for (String v : flags.volumes()) {
      mounts.add(volume(v));
    }
    for (String t : flags.tmpfs()) {
      mounts.add(tmpfs(t));
    }
    spec = spec.withMounts(mounts);

    // after the capabilities: Docker's profile includes and excludes rules by the bounding set
    Linux linux = spec.linux().withCgroupsPath(cgroupsPath).withSeccomp(
        flags.security().linuxSeccomp(caps, flags.privileged()));
    Linux.Memory memory = null;
    if (flags.memory() != null) {
      if (flags.memory() < 6 * 1024 * 1024) {
        throw new Errors.UserError("minimum memory limit allowed is 6MB (got --memory " + flags.memory() + " bytes)",
            Errors.RUN_FAILED);
      }
      long swap = flags.memorySwap() != null ? flags.memorySwap() : 2 * flags.memory();
      if (swap != -1 && swap < flags.memory()) {
        throw new Errors.UserError("--memory-swap must be at least --memory (or -1 for unlimited swap)",
            Errors.RUN_FAILED);
      }
      memory = new Linux.Memory(flags.memory(), swap);
    }
    Linux.Cpu cpu = null;
    if (flags.cpus() != null) {
      if (!(flags.cpus() > 0) || flags.cpus() > Runtime.getRuntime().availableProcessors()) {
        throw new Errors.UserError("range of CPUs is from 0.01 to " + Runtime.getRuntime().availableProcessors()
            + ".00, as there are only " + Runtime.getRuntime().availableProcessors() + " CPUs available",
            Errors.RUN_FAILED);
      }
      cpu = Linux.Cpu.ofCpus(flags.cpus());
    }
    Linux.Pids pids = flags.pidsLimit() != null && flags.pidsLimit() > 0 ? new Linux.Pids(flags.pidsLimit()) : null;
    if (memory != null || cpu != null || pids != null) {
      List<Linux.DeviceRule> devices = linux.resources() == null ? null : linux.resources().devices();
      linux = linux.withResources(new Linux.Resources(memory, cpu, pids, devices));
    }
    spec = spec.withLinux(linux);
    if (flags.interactive()) {
      spec = spec.withAnnotation(OPEN_STDIN, "true");
    }
    return flags.privileged() ? privileged(spec) : spec;
  }

  /**
   * What {@code --privileged} lifts besides the capabilities and seccomp, as Docker does: no masked or read-only
   * paths, /sys and the cgroup mount writable, every device allowed in the cgroup and the host's device nodes
   * made in its /dev ({@link HostDevices}).
   */
  private static Spec privileged(Spec spec) {
    Linux l = spec.linux();
    Linux.Resources r = l.resources() == null ? new Linux.Resources(null, null, null, null) : l.resources();
    Linux open = new Linux(l.namespaces(), new Linux.Resources(r.memory(), r.cpu(), r.pids(),
        List.of(new Linux.DeviceRule(true, "a", null, null, "rwm"))), l.cgroupsPath(), List.of(), List.of(),
        l.rootfsPropagation(), l.seccomp(), hostDevices());
    List<Spec.Mount> mounts = new ArrayList<>();
    for (Spec.Mount m : spec.mounts()) {
      if (m.destination().equals("/sys") || m.destination().equals("/sys/fs/cgroup")) {
        List<String> options = new ArrayList<>(m.options());
        options.remove("ro");
        m = new Spec.Mount(m.destination(), m.type(), m.source(), options);
      }
      mounts.add(m);
    }
    return spec.withLinux(open).withMounts(mounts);
  }

  private static List<Linux.Device> hostDevices() {
    try {
      return HostDevices.under(Path.of("/dev"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the host's devices for --privileged: " + e.getMessage(), e);
    }
  }

  /** Starts making the container's seccomp filter while the rest of run goes on (see SecurityOpts.prepare). */
  public static void prepareSeccomp(RunFlags flags) {
    flags.security().prepare(capabilities(flags), flags.privileged());
  }

  /**
   * Docker's default capabilities with {@code --cap-add}/{@code --cap-drop} applied ({@code ALL} allowed).
   * {@code --privileged} and {@code ALL} are every capability this process may hand on, its bounding set (as
   * podman does): a capability outside it cannot be given, and asking for it would fail the start.
   */
  static List<String> capabilities(RunFlags flags) {
    List<String> all = CapabilitySet.names(-1L);
    List<String> available = CapabilitySet.names(boundingSet());
    Set<String> caps = new LinkedHashSet<>(flags.privileged() ? available : DefaultSpec.DOCKER_CAPABILITIES);
    for (String d : flags.capDrop()) {
      String n = capName(d, all);
      if (n.equals("ALL")) {
        caps.clear();
      } else {
        caps.remove(n);
      }
    }
    for (String a : flags.capAdd()) {
      String n = capName(a, all);
      if (n.equals("ALL")) {
        caps.addAll(available);
      } else {
        caps.add(n);
      }
    }
    return List.copyOf(caps);
  }

  /** This process's bounding set from /proc/self/status; all bits when it cannot be read. */
  static long boundingSet() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("CapBnd:")) {
          return Long.parseUnsignedLong(l.substring("CapBnd:".length()).strip(), 16);
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // not Linux as expected: let the kernel say what it refuses
    }
    return -1L;
  }

  private static String capName(String raw, List<String> all) {
    String n = raw.strip().toUpperCase(Locale.ROOT);
    if (n.equals("ALL")) {
      return n;
    }
    if (!n.startsWith("CAP_")) {
      n = "CAP_" + n;
    }
    if (!all.contains(n)) {
      throw new Errors.UserError("unknown capability: \"" + raw + "\"", Errors.RUN_FAILED);
    }
    return n;
  }

  private static Spec.Mount bind(Path source, String target, boolean readOnly) {
    List<String> opts = new ArrayList<>(List.of("rbind", "rprivate"));
    if (readOnly) {
      opts.add("ro");
    }
    return new Spec.Mount(target, "bind", source.toString(), opts);
  }

  /** {@code -v /host:/ctr[:ro|rw]}: host paths must be absolute and exist, as Docker requires. */
  static Spec.Mount volume(String v) {
    String[] parts = v.split(":", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new Errors.UserError("invalid volume specification: '" + v + "' (expected /host/path:/container/path[:ro])",
          Errors.RUN_FAILED);
    }
    if (!parts[0].startsWith("/")) {
      throw new Errors.UserError("invalid volume specification: '" + v
          + "': named volumes are not supported; give an absolute host path", Errors.RUN_FAILED);
    }
    if (!parts[1].startsWith("/") || parts[1].equals("/")) {
      throw new Errors.UserError("invalid volume specification: '" + v
          + "': the container path must be absolute and not '/'", Errors.RUN_FAILED);
    }
    boolean ro = false;
    if (parts.length == 3) {
      for (String o : parts[2].split(",")) {
        switch (o) {
          case "ro" -> ro = true;
          case "rw", "z", "Z", "" -> { }
          default -> throw new Errors.UserError("invalid volume specification: '" + v + "': unknown mode '" + o + "'",
              Errors.RUN_FAILED);
        }
      }
    }
    if (!Files.exists(Path.of(parts[0]))) {
      throw new Errors.UserError("invalid volume specification: '" + v + "': host path " + parts[0]
          + " does not exist", Errors.RUN_FAILED);
    }
    return bind(Path.of(parts[0]), parts[1], ro);
  }

  /** {@code --tmpfs /path[:opts]}: Docker's defaults are noexec,nosuid,nodev. */
  static Spec.Mount tmpfs(String t) {
    String[] parts = t.split(":", 2);
    if (!parts[0].startsWith("/") || parts[0].equals("/")) {
      throw new Errors.UserError("invalid --tmpfs '" + t + "': the path must be absolute and not '/'",
          Errors.RUN_FAILED);
    }
    List<String> opts = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
    if (parts.length == 2 && !parts[1].isEmpty()) {
      for (String o : parts[1].split(",")) {
        if (o.equals("exec")) {
          opts.remove("noexec");
        } else if (o.equals("suid")) {
          opts.remove("nosuid");
        } else if (o.equals("dev")) {
          opts.remove("nodev");
        } else {
          opts.add(o);
        }
      }
    }
    return new Spec.Mount(parts[0], "tmpfs", "tmpfs", opts);
  }
}
