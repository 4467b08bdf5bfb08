package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.CgroupParent;
import dev.dcont.cli.PullProgress;
import dev.dcont.cli.run.Containers;
import dev.dcont.cli.run.ProcessConfig;
import dev.dcont.cli.run.RunFlags;
import dev.dcont.cli.run.SecurityOpts;
import dev.dcont.cli.run.SpecFactory;
import dev.dcont.cli.run.Sizes;
import dev.dcont.layers.LayerRefusedException;
import dev.dcont.runtime.ContainerException;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ImageConfig;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont run IMAGE [COMMAND [ARG…]]}: create and start a container, as {@code docker run}. */
@Command(name = "run", description = "Run a command in a new container.", sortOptions = false)
public final class RunCommand implements Callable<Integer>, Errors.RunFailureCode {
  @Spec
  CommandSpec spec;

  @Mixin
  ProcessOptions process;

  @Option(names = {"-d", "--detach"}, description = "Run in the background and print the container ID.")
  boolean detach;

  @Option(names = "--rm", description = "Remove the container when it exits.")
  boolean rm;

  @Option(names = "--name", description = "Name of the container.")
  String name;

  @Option(names = {"-h", "--hostname"}, description = "Hostname of the container.")
  String hostname;

  @Option(names = "--env-file", paramLabel = "FILE", description = "Read environment variables from a file.")
  List<Path> envFiles = new ArrayList<>();

  @Option(names = "--entrypoint", description = "Override the image's ENTRYPOINT.")
  String entrypoint;

  @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CONTAINER[:ro]", description = "Bind-mount a host path.")
  List<String> volumes = new ArrayList<>();

  @Option(names = "--tmpfs", paramLabel = "PATH[:OPTIONS]", description = "Mount a tmpfs.")
  List<String> tmpfs = new ArrayList<>();

  @Option(names = "--read-only", description = "Mount the container's root file system read-only.")
  boolean readOnly;

  @Option(names = {"-m", "--memory"}, paramLabel = "BYTES", description = "Memory limit (e.g. 512m, 1g).")
  String memory;

  @Option(names = "--memory-swap", paramLabel = "BYTES", description = "Memory plus swap limit; -1 for unlimited swap.")
  String memorySwap;

  @Option(names = "--cpus", description = "Number of CPUs (e.g. 1.5).")
  Double cpus;

  @Option(names = "--pids-limit", description = "Maximum number of processes.")
  Long pidsLimit;

  @Option(names = {"--network", "--net"}, paramLabel = "none|host", defaultValue = "none",
      description = "Network: none (own namespace, loopback only; default) or host.")
  String network;

  @Option(names = "--platform", description = "Platform to pull if the image is missing.")
  String platform;

  @Option(names = "--pull", paramLabel = "missing|always|never", defaultValue = "missing",
      description = "Pull the image: missing (default), always or never.")
  String pull;

  @Option(names = "--cap-add", description = "Add a Linux capability (or ALL).")
  List<String> capAdd = new ArrayList<>();

  @Option(names = "--cap-drop", description = "Drop a Linux capability (or ALL).")
  List<String> capDrop = new ArrayList<>();

  @Option(names = "--init", description = "Run an init inside the container that forwards signals and reaps processes.")
  boolean init;

  @Option(names = "--privileged", description = "Give all capabilities to the container (and no seccomp filter).")
  boolean privileged;

  @Option(names = "--security-opt", paramLabel = "OPT", description = "Security options: seccomp=unconfined|FILE.json"
      + " (Docker's profile format; Docker's default profile otherwise), no-new-privileges[=true|false],"
      + " apparmor=unconfined, label=disable.")
  List<String> securityOpts = new ArrayList<>();

  @Option(names = "--cgroup-parent", paramLabel = "PATH", description = "Parent cgroup of the container's cgroup"
      + " (PATH/ID in each hierarchy, from its root; default dcont).")
  String cgroupParent;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name, ID or reference.")
  String image;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments.")
  List<String> command = new ArrayList<>();

  /** Where run prints: picocli's writers, or those {@link #call(PrintWriter, PrintWriter)} was given. */
  private PrintWriter out;
  private PrintWriter err;

  /** Runs a command that {@link RunArgs} read, printing to {@code out} and {@code err}. */
  public int call(PrintWriter out, PrintWriter err) throws Exception {
    this.out = out;
    this.err = err;
    return call();
  }

  @Override
  public Integer call() throws Exception {
    if (spec != null) {
      out = spec.commandLine().getOut();
      err = spec.commandLine().getErr();
    }
    if (!network.equals("none") && !network.equals("host")) {
      throw new Errors.UserError("invalid --network '" + network + "' (dcont supports none and host)",
          Errors.RUN_FAILED);
    }
    if (!List.of("missing", "always", "never").contains(pull)) {
      throw new Errors.UserError("invalid --pull '" + pull + "' (missing, always or never)", Errors.RUN_FAILED);
    }
    SecurityOpts security = SecurityOpts.parse(securityOpts);
    RunFlags flags = new RunFlags(process.interactive, process.tty, detach, rm, name, hostname, volumes, tmpfs, readOnly,
        memory == null ? null : Sizes.parse("--memory", memory),
        memorySwap == null ? null : memorySwap.equals("-1") ? Long.valueOf(-1) : Sizes.parse("--memory-swap", memorySwap),
        cpus, pidsLimit, network, capAdd, capDrop, init, privileged, security, CgroupParent.parse(cgroupParent));
    SpecFactory.prepareSeccomp(flags);
    try (Store store = GlobalOptions.openStore()) {
      ImageRecord img = image(store, err);
      ImageConfig config = ImageConfig.parse(store.content().readAll(img.configDigest()),
          "config " + img.configDigest());
      Containers containers = new Containers(store);
      ProcessConfig.Flags pf = new ProcessConfig.Flags(entrypoint, command, process.env, envFiles,
          process.workdir, process.user, process.tty, null);
      Containers.Created c;
      try {
        c = containers.create(img, image, config.config(), pf, flags);
      } catch (LayerRefusedException e) {
        // an image whose layers are refused can never run: it goes, as after a refused pull
        ImageRemoval.removeRefused(store, img, Map.of(), e);
        throw e;
      }
      String id = c.record().id();
      if (detach) {
        try {
          containers.startDetached(c);
        } catch (ContainerException e) {
          failStart(containers, id, e);
        }
        out.println(id);
        out.flush();
        return 0;
      }
      int code;
      try {
        code = containers.runForeground(c, process.interactive);
      } catch (ContainerException e) {
        failStart(containers, id, e);
        return Errors.RUN_FAILED;
      } finally {
        if (rm) {
          removeQuietly(containers, id);
        } else {
          unmountQuietly(containers, id);
        }
      }
      return code;
    }
  }

  private void failStart(Containers containers, String id, ContainerException e) {
    int code = e.dockerExitCode();
    if (rm || detach) {
      removeQuietly(containers, id);
    }
    throw new Errors.UserError(e.getMessage(), code);
  }

  private static void removeQuietly(Containers containers, String id) {
    try {
      containers.remove(containers.store().containers().byId(id).orElseThrow(), true);
    } catch (Exception ignored) {
      // best effort after the container's end; 'dcont system prune' finds anything left
    }
  }

  private static void unmountQuietly(Containers containers, String id) {
    try {
      containers.unmount(id);
    } catch (RuntimeException ignored) {
      // still mounted: 'dcont rm' unmounts
    }
  }

  private ImageRecord image(Store store, PrintWriter err) throws IOException {
    Optional<ImageRecord> local = pull.equals("always") ? Optional.empty() : store.images().resolve(image);
    if (platform != null && local.isPresent() && !Platform.parse(platform).matches(local.get().platform())) {
      local = Optional.empty();
    }
    if (local.isPresent()) {
      return local.get();
    }
    if (pull.equals("never")) {
      throw new Errors.UserError("No such image: " + image + " (and --pull never)", Errors.RUN_FAILED);
    }
    Reference ref;
    try {
      ref = Reference.parse(image);
    } catch (IllegalArgumentException e) {
      throw new Errors.UserError(e.getMessage(), Errors.RUN_FAILED);
    }
    if (!pull.equals("always")) {
      err.println("Unable to find image '" + ref.familiarName() + "' locally");
    }
    try {
      // as docker run: the pull's progress on standard error, without the reference docker pull ends with
      return new PullService(store, 3, true).pull(ref, platform == null ? null : Platform.parse(platform),
          new PullProgress(err, PullProgress.isTerminal(), false)).image();
    } catch (RuntimeException e) {
      throw new Errors.UserError(dev.dcont.cli.Errors.message(e), Errors.RUN_FAILED);
    }
  }
}
