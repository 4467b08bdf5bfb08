package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import dev.dcont.cli.net.Attaching;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.layers.RootfsManager;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.spec.SpecJson;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ImageConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A new container, for {@code run} and {@code create}: the row (one transaction; a taken name fails here), the
 * overlay root, the image's user and working directory resolved inside it, the etc files and the bundle. On
 * failure everything made so far is removed again. {@code run} sets up the container's network as it creates it;
 * {@code create} only records the network in the bundle, for the container's first {@code start} to set up, as
 * Docker connects a created container when it starts.
 */
public final class ContainerCreate {
  private final Containers containers;
  private final Store store;
  private final RootfsManager rootfs;

  public ContainerCreate(Containers containers) {
    this.containers = containers;
    this.store = containers.store();
    this.rootfs = new RootfsManager(store);
  }

  /**
   * A new container's id, name and hostname, chosen before the store is open (see {@link EarlyNetwork}); a
   * name that {@code --name} gave is checked for its form here, a generated one against the store's names when
   * the container is made.
   */
  public record Identity(String id, String name, boolean named, String hostname) {
    public static Identity of(RunFlags flags) {
      String id = Names.newId();
      String name = flags.name();
      if (name != null && !Names.isValidName(name)) {
        throw new Errors.UserError("invalid container name \"" + name
            + "\", only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", Errors.RUN_FAILED);
      }
      return new Identity(id, name != null ? name : Names.newName(n -> false), name != null,
          flags.hostname() != null ? flags.hostname() : id.substring(0, 12));
    }
  }

  /**
   * The container {@code who} names, ready to start, on the network {@code network} asks for (null: none or the
   * host's, as {@code flags.network()} says): its own network namespace, set up by netavark before the etc files
   * are written, or begun already by {@code early} (this call finishes or aborts it).
   */
  public Containers.Created forRun(ImageRecord image, String imageName, ImageConfig.Config config,
      ProcessConfig.Flags processFlags, RunFlags flags, ContainerNetworks.Request network, EtcOptions etcOptions,
      EarlyNetwork early, Identity who) {
    return create(image, imageName, config, processFlags, flags, network, etcOptions,
        early == null ? null : early.pending(), who, true);
  }

  /**
   * The container {@code who} names, created and not started: its network is recorded, not set up, and its root
   * is left unmounted until it starts.
   */
  public Containers.Created created(ImageRecord image, String imageName, ImageConfig.Config config,
      ProcessConfig.Flags processFlags, RunFlags flags, ContainerNetworks.Request network, EtcOptions etcOptions,
      Identity who) {
    Containers.Created c = create(image, imageName, config, processFlags, flags, network, etcOptions, null, who,
        false);
    try {
      rootfs.unmount(c.record().id());
    } catch (RuntimeException e) {
      containers.removeQuietly(c.record().id());
      throw e;
    }
    return c;
  }

  private Containers.Created create(ImageRecord image, String imageName, ImageConfig.Config config,
      ProcessConfig.Flags processFlags, RunFlags flags, ContainerNetworks.Request network, EtcOptions etcOptions,
      Attaching pending, Identity who, boolean attach) {
    String id = who.id();
    String name = who.name();
    String hostname = who.hostname();
    if (!who.named() && store.containers().nameTaken(name)) {
      name = Names.newName(store.containers()::nameTaken);
      if (pending != null) {
        // netavark was given the name (a network with names serves it): begun again below with the new one
        pending.abort();
        pending = null;
      }
    }
    ProcessConfig process;
    ContainerRecord record;
    try {
      ProcessConfig.Flags pf = new ProcessConfig.Flags(processFlags.entrypoint(), processFlags.command(),
          processFlags.env(), processFlags.envFiles(), processFlags.workdir(), processFlags.user(), flags.tty(),
          hostname);
      process = ProcessConfig.of(config, pf, System.getenv());
      record = new ContainerRecord(id, name, image.manifestDigest(), imageName, process.args(),
          System.currentTimeMillis(), flags.autoRemove());
      store.containers().insert(record);
    } catch (RuntimeException e) {
      if (pending != null) {
        pending.abort();
      }
      if (e instanceof dev.dcont.store.StoreException) {
        throw new Errors.UserError(e.getMessage(), Errors.RUN_FAILED);
      }
      throw e;
    }
    boolean ok = false;
    try {
      String joinName = JoinedNetwork.target(flags.network());
      ContainerRecord joined = joinName == null ? null : JoinedNetwork.resolve(containers, joinName);
      if (attach && network != null && pending == null) {
        // netavark runs while the root is prepared
        pending = containers.networks().begin(id, name, hostname, network, l -> NetworkMode.stale(containers, l));
      }
      rootfs.prepare(id, image);
      Path root = rootfs.mount(id);
      UserSpec.Resolved user = UserSpec.resolve(process.user(), root);
      WorkDirs.ensure(root, process.cwd(), user);
      Path bundle = store.layout().container(id);
      SpecFactory.EtcFiles etc = joined != null ? JoinedNetwork.etcOf(containers, joined)
          : EtcFiles.write(bundle.resolve("etc"), hostname, flags.hostNetwork(),
              pending == null ? null : pending.expected(), etcOptions);
      Spec spec = SpecFactory.build(process, user, flags, hostname, etc,
          CgroupParent.containerPath(flags.cgroupParent(), id),
          flags.init() ? InitBinary.copyInto(bundle) : null);
      if (joined != null) {
        // the namespace is the target's when this container starts: now for run, at its start for create
        spec = spec.withAnnotation(JoinedNetwork.ANNOTATION, joined.id());
        if (attach) {
          spec = JoinedNetwork.join(containers, spec, joined.id(), bundle, Errors.RUN_FAILED);
        }
      }
      if (network != null) {
        NetworkMode.write(bundle, network, config == null ? null : config.exposedPorts());
      }
      if (pending != null) {
        spec = NetworkMode.join(spec, pending.expected().netns());
      }
      // while netavark may still run: the spec names the namespace, which exists before netavark sets it up
      SpecJson.write(bundle.resolve("config.json"), spec);
      if (pending != null) {
        Attaching p = pending;
        pending = null;
        p.finish();
      }
      ok = true;
      return new Containers.Created(record, bundle, spec);
    } catch (IOException e) {
      throw new Errors.UserError("container " + id.substring(0, 12) + ": " + e.getMessage(), Errors.RUN_FAILED);
    } finally {
      if (!ok) {
        if (pending != null) {
          pending.abort();
        }
        containers.removeQuietly(id);
      }
    }
  }
}
