package dev.dcont.cli.commands;

import static dev.dcont.cli.commands.Options.add;
import static dev.dcont.cli.commands.Options.flag;
import static dev.dcont.cli.commands.Options.isSet;
import static dev.dcont.cli.commands.Options.repeated;
import static dev.dcont.cli.commands.Options.single;
import static dev.dcont.cli.commands.Options.values;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.PullProgress;
import dev.dcont.cli.run.CgroupParent;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.cli.net.PortMapping;
import dev.dcont.cli.run.ContainerCreate;
import dev.dcont.cli.run.Containers;
import dev.dcont.cli.run.EarlyNetwork;
import dev.dcont.cli.run.JoinedNetwork;
import dev.dcont.cli.run.EtcOptions;
import dev.dcont.cli.run.NetworkMode;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code dcont run IMAGE [COMMAND [ARG…]]}: create and start a container, as {@code docker run}; and
 * {@code dcont create IMAGE [COMMAND [ARG…]]}, the same options less {@code -d}: the container made and not
 * started, its ID printed, for {@code dcont start} (as {@code docker create}).
 *
 * <p>run's options are declared through picocli's programmatic API ({@link #newSpec}) rather than its
 * annotations: picocli still parses them, prints the help and the errors, but building the model from ~25
 * annotated fields (reflection, the JVM's first use of annotations) is a large part of a {@code run --rm},
 * which is mostly JVM start-up. The options shared with {@code exec} are in {@link ProcessOptions}.
 */
public final class RunCommand implements Callable<Integer>, Errors.RunFailureCode {
  public static final String NAME = "run";
  public static final String CREATE = "create";

  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
  private final boolean createOnly;
  private final ProcessOptions process;
  private final OptionSpec detach;
  private final OptionSpec rm;
  private final OptionSpec name;
  private final OptionSpec hostname;
  private final OptionSpec envFiles;
  private final OptionSpec entrypoint;
  private final OptionSpec volumes;
  private final OptionSpec tmpfs;
  private final OptionSpec readOnly;
  private final OptionSpec memory;
  private final OptionSpec memorySwap;
  private final OptionSpec cpus;
  private final OptionSpec pidsLimit;
  private final OptionSpec network;
  private final OptionSpec publish;
  private final OptionSpec publishAll;
  private final OptionSpec networkAliases;
  private final OptionSpec ip;
  private final OptionSpec ip6;
  private final OptionSpec dns;
  private final OptionSpec dnsSearch;
  private final OptionSpec dnsOptions;
  private final OptionSpec addHosts;
  private final OptionSpec platform;
  private final OptionSpec pull;
  private final OptionSpec capAdd;
  private final OptionSpec capDrop;
  private final OptionSpec init;
  private final OptionSpec privileged;
  private final OptionSpec securityOpts;
  private final OptionSpec cgroupParent;
  private final PositionalParamSpec image;
  private final PositionalParamSpec command;

  private RunCommand(boolean createOnly) {
    this.createOnly = createOnly;
    spec.name(createOnly ? CREATE : NAME);
    spec.usageMessage().description(createOnly ? "Create a new container, not started: 'dcont start' starts it."
        : "Run a command in a new container.").sortOptions(false);
    process = new ProcessOptions(spec);
    detach = createOnly ? null : flag(spec, "Run in the background and print the container ID.", "-d", "--detach");
    rm = flag(spec, "Remove the container when it exits.", "--rm");
    name = single(spec, String.class, "<name>", "Name of the container.", "--name");
    hostname = single(spec, String.class, "<hostname>", "Hostname of the container.", "-h", "--hostname");
    envFiles = repeated(spec, Path.class, "FILE", "Read environment variables from a file.", "--env-file");
    entrypoint = single(spec, String.class, "<entrypoint>", "Override the image's ENTRYPOINT.", "--entrypoint");
    volumes = repeated(spec, String.class, "HOST:CONTAINER[:ro]", "Bind-mount a host path.", "-v", "--volume");
    tmpfs = repeated(spec, String.class, "PATH[:OPTIONS]", "Mount a tmpfs.", "--tmpfs");
    readOnly = flag(spec, "Mount the container's root file system read-only.", "--read-only");
    memory = single(spec, String.class, "BYTES", "Memory limit (e.g. 512m, 1g).", "-m", "--memory");
    memorySwap = single(spec, String.class, "BYTES", "Memory plus swap limit; -1 for unlimited swap.",
        "--memory-swap");
    cpus = single(spec, Double.class, "<cpus>", "Number of CPUs (e.g. 1.5).", "--cpus");
    pidsLimit = single(spec, Long.class, "<pidsLimit>", "Maximum number of processes.", "--pids-limit");
    network = add(spec, OptionSpec.builder("--network", "--net").type(String.class)
        .paramLabel("bridge|none|host|NAME").defaultValue("bridge").description("Network: bridge (default: an"
            + " address on dcont's bridge, outbound NAT), a network of 'dcont network create', none (loopback"
            + " only) or host."));
    publish = repeated(spec, String.class, "[IP:][HOSTPORT:]CONTAINERPORT[/PROTO]",
        "Publish a container's port on the host (a free host port when none is given); a port may be a range"
            + " START-END, e.g. 8080-8081:80-81.", "-p", "--publish");
    publishAll = flag(spec, "Publish every port the image exposes, each on a free host port.", "-P",
        "--publish-all");
    networkAliases = repeated(spec, String.class, "<alias>", "Another name of the container on its network.",
        "--network-alias");
    ip = single(spec, String.class, "<ip>", "The container's IPv4 address on its network.", "--ip");
    ip6 = single(spec, String.class, "<ip6>", "The container's IPv6 address on its network (one with IPv6).",
        "--ip6");
    dns = repeated(spec, String.class, "IP", "A name server for /etc/resolv.conf (in place of the host's).",
        "--dns");
    dnsSearch = repeated(spec, String.class, "DOMAIN", "A search domain for /etc/resolv.conf ('.' for none).",
        "--dns-search");
    dnsOptions = repeated(spec, String.class, "OPT", "An option for /etc/resolv.conf (e.g. ndots:2).",
        "--dns-option", "--dns-opt");
    addHosts = repeated(spec, String.class, "NAME:IP", "A line for /etc/hosts (IP host-gateway: the bridge's"
        + " address).", "--add-host");
    platform = single(spec, String.class, "<platform>", "Platform to pull if the image is missing.", "--platform");
    pull = add(spec, OptionSpec.builder("--pull").type(String.class).paramLabel("missing|always|never")
        .defaultValue("missing").description("Pull the image: missing (default), always or never."));
    capAdd = repeated(spec, String.class, "<capAdd>", "Add a Linux capability (or ALL).", "--cap-add");
    capDrop = repeated(spec, String.class, "<capDrop>", "Drop a Linux capability (or ALL).", "--cap-drop");
    init = flag(spec, "Run an init inside the container that forwards signals and reaps processes.", "--init");
    privileged = flag(spec, "Give all capabilities to the container (and no seccomp filter).", "--privileged");
    securityOpts = repeated(spec, String.class, "OPT", "Security options: seccomp=unconfined|FILE.json"
        + " (Docker's profile format; Docker's default profile otherwise), no-new-privileges[=true|false],"
        + " apparmor=unconfined, label=disable.", "--security-opt");
    cgroupParent = single(spec, String.class, "PATH", "Parent cgroup of the container's cgroup"
        + " (PATH/ID in each hierarchy, from its root; default dcont).", "--cgroup-parent");
    image = PositionalParamSpec.builder().index("0").arity("1").required(true).type(String.class)
        .paramLabel("IMAGE").description("Image name, ID or reference.").build();
    spec.addPositional(image);
    command = PositionalParamSpec.builder().index("1..*").arity("0..*").type(List.class)
        .auxiliaryTypes(String.class).paramLabel("COMMAND").description("Command and arguments.").build();
    spec.addPositional(command);
  }

  /** A new run command for picocli: its model, with this command as the one it executes. */
  public static CommandSpec newSpec() {
    return new RunCommand(false).spec;
  }

  /** A new create command for picocli: run's model without {@code -d}, which makes and does not start. */
  public static CommandSpec newCreateSpec() {
    return new RunCommand(true).spec;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String network = this.network.getValue();
    String pull = this.pull.getValue();
    boolean detach = this.detach != null && isSet(this.detach);
    boolean rm = isSet(this.rm);
    String memory = this.memory.getValue();
    String memorySwap = this.memorySwap.getValue();
    String image = this.image.getValue();
    String joined = JoinedNetwork.target(network);
    if (joined != null) {
      checkJoinedOptions();
    } else if (!dev.dcont.cli.run.Names.isValidName(network)) {
      throw new Errors.UserError("invalid --network '" + network + "' (bridge, none, host, a network's name or"
          + " container:NAME)", Errors.RUN_FAILED);
    }
    checkEndpointOptions(network);
    List<PortMapping> ports = new java.util.ArrayList<>();
    for (String p : Options.<String>values(publish)) {
      ports.addAll(PortMapping.parse(p));
    }
    if (!List.of("missing", "always", "never").contains(pull)) {
      throw new Errors.UserError("invalid --pull '" + pull + "' (missing, always or never)", Errors.RUN_FAILED);
    }
    EtcOptions etc = EtcOptions.parse(values(dns), values(dnsSearch), values(dnsOptions), values(addHosts));
    if (etc.wantsHostGateway() && (network.equals("none") || network.equals("host"))) {
      throw new Errors.UserError("--add-host NAME:host-gateway needs a bridge network (its address is the"
          + " bridge's); give an address with --network " + network, Errors.RUN_FAILED);
    }
    SecurityOpts security = SecurityOpts.parse(values(securityOpts));
    RunFlags flags = new RunFlags(process.interactive(), process.tty(), detach, rm, name.getValue(), hostname.getValue(),
        values(volumes), values(tmpfs), isSet(readOnly),
        memory == null ? null : Sizes.parse("--memory", memory),
        memorySwap == null ? null : memorySwap.equals("-1") ? Long.valueOf(-1) : Sizes.parse("--memory-swap", memorySwap),
        cpus.getValue(), pidsLimit.getValue(), network, values(capAdd), values(capDrop), isSet(init),
        isSet(privileged), security, CgroupParent.parse(cgroupParent.getValue()));
    SpecFactory.prepareSeccomp(flags);
    ContainerNetworks.Request net = NetworkMode.request(network, Options.<String>values(networkAliases),
        ip.getValue(), ip6.getValue(), ports);
    if (net != null && !etc.dns().isEmpty()) {
      net = new ContainerNetworks.Request(net.network(), net.aliases(), net.ip(), net.ip6(), net.ports(),
          etc.dns());
    }
    ContainerCreate.Identity who = ContainerCreate.Identity.of(flags);
    Store[] opened = new Store[1];
    EarlyNetwork early;
    try {
      // a created container's network is set up when it starts
      early = createOnly ? null : EarlyNetwork.begin(GlobalOptions.root(), net, isSet(publishAll), who, () -> {
        if (opened[0] == null) {
          opened[0] = GlobalOptions.openStore();
        }
        return opened[0];
      });
    } catch (RuntimeException e) {
      if (opened[0] != null) {
        opened[0].close();
      }
      throw e;
    }
    Containers.Created c;
    Containers containers;
    Store store;
    try {
      store = opened[0] != null ? opened[0] : GlobalOptions.openStore();
    } catch (RuntimeException e) {
      if (early != null) {
        early.abort();
      }
      throw e;
    }
    try (store) {
      try {
        Optional<ImageRecord> local = localImage(store, image, pull);
        if (local.isEmpty() && early != null) {
          // the store's network lock is not held through a pull: the network is begun again once it is done
          EarlyNetwork e = early;
          early = null;
          e.abort();
        }
        ImageRecord img = local.isPresent() ? local.get() : pullImage(store, image, pull, err);
        ImageConfig config = ImageConfig.parse(store.content().readAll(img.configDigest()),
            "config " + img.configDigest());
        containers = new Containers(store);
        ProcessConfig.Flags pf = new ProcessConfig.Flags(entrypoint.getValue(), values(command), process.env(),
            values(envFiles), process.workdir(), process.user(), process.tty(), null);
        if (isSet(publishAll) && config.config() != null) {
          ports.addAll(PortMapping.exposed(config.config().exposedPorts()));
          if (net != null) {
            net = new ContainerNetworks.Request(net.network(), net.aliases(), net.ip(), net.ip6(), ports,
                net.dnsServers());
          }
        }
        if ((network.equals("none") || network.equals("host")) && !ports.isEmpty()) {
          err.println("WARNING: published ports are discarded with --network " + network);
        }
        if (net != null && !ports.isEmpty() && containers.networks().networks().find(net.network())
            .map(dev.dcont.cli.net.NetworkDef::internal).orElse(false)) {
          err.println("WARNING: published ports are discarded on internal network " + net.network()
              + " (its containers are not reached through the host's ports)");
        }
        EarlyNetwork handed = early;
        early = null;
        try {
          ContainerCreate create = new ContainerCreate(containers);
          c = createOnly ? create.created(img, image, config.config(), pf, flags, net, etc, who)
              : create.forRun(img, image, config.config(), pf, flags, net, etc, handed, who);
        } catch (LayerRefusedException e) {
          // an image whose layers are refused can never run: it goes, as after a refused pull
          ImageRemoval.removeRefused(store, img, Map.of(), e);
          throw e;
        }
      } finally {
        if (early != null) {
          early.abort();
        }
      }
      String id = c.record().id();
      if (createOnly) {
        out.println(id);
        out.flush();
        return 0;
      }
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
        code = containers.runForeground(c, process.interactive());
      } catch (ContainerException e) {
        failStart(containers, id, e);
        return Errors.RUN_FAILED;
      } finally {
        containers.releaseEnded(id, rm);
      }
      return code;
    }
  }

  /**
   * {@code --ip}, {@code --ip6} and {@code --network-alias} name the container on a network of
   * {@code network create}: Docker refuses them on its predefined networks (the default bridge has no names to
   * alias, and its addresses are the daemon's to hand out), in these words.
   */
  /** What Docker refuses beside {@code --network container:NAME}: the target's network and etc files are used. */
  private void checkJoinedOptions() {
    String conflict = hostname.getValue() != null ? "hostname"
        : !values(dns).isEmpty() || !values(dnsSearch).isEmpty() || !values(dnsOptions).isEmpty() ? "dns"
        : !values(addHosts).isEmpty() ? "custom host-to-IP mapping"
        : !Options.<String>values(publish).isEmpty() || isSet(publishAll) ? "port publishing"
        : null;
    if (conflict != null) {
      throw new Errors.UserError("conflicting options: " + conflict + " and the container type network mode (the"
          + " container uses the network, names and etc files of the one it joins)", Errors.RUN_FAILED);
    }
  }

  private void checkEndpointOptions(String network) {
    if (!dev.dcont.cli.net.Networks.RESERVED.contains(network) && JoinedNetwork.target(network) == null) {
      return;
    }
    if (ip.getValue() != null || ip6.getValue() != null) {
      throw new Errors.UserError("user specified IP address is supported on user defined networks only (make one"
          + " with 'dcont network create' and run with --network NAME)", Errors.RUN_FAILED);
    }
    if (!Options.<String>values(networkAliases).isEmpty()) {
      throw new Errors.UserError("network-scoped alias is supported only for containers in user defined networks"
          + " (make one with 'dcont network create' and run with --network NAME)", Errors.RUN_FAILED);
    }
  }

  private void failStart(Containers containers, String id, ContainerException e) {
    int code = e.dockerExitCode();
    if (isSet(rm) || isSet(detach)) {
      containers.releaseEnded(id, true);
    }
    throw new Errors.UserError(e.getMessage(), code);
  }

  /** The image as the store has it, unless {@code --pull always} or another platform than the one asked for. */
  private Optional<ImageRecord> localImage(Store store, String image, String pull) {
    String platform = this.platform.getValue();
    Optional<ImageRecord> local = pull.equals("always") ? Optional.empty() : store.images().resolve(image);
    if (platform != null && local.isPresent() && !Platform.parse(platform).matches(local.get().platform())) {
      local = Optional.empty();
    }
    return local;
  }

  private ImageRecord pullImage(Store store, String image, String pull, PrintWriter err) throws IOException {
    String platform = this.platform.getValue();
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
