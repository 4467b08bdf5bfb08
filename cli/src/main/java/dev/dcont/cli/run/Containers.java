package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.cli.net.Lease;
import dev.dcont.layers.RootfsManager;
import dev.dcont.runtime.ContainerControl;
import dev.dcont.runtime.ContainerException;
import dev.dcont.runtime.ContainerRuntime;
import dev.dcont.runtime.Stdio;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.spec.SpecJson;
import dev.dcont.store.OwnerOnly;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Containers without a daemon: each is a row in the store, a root file system from the layers
 * module and a bundle ({@code containers/<id>/config.json}) that the runtime launches.
 */
public final class Containers {
  private final Store store;
  private final RootfsManager rootfs;
  private ContainerRuntime runtime;
  private ContainerNetworks networks;

  public Containers(Store store) {
    this.store = store;
    this.rootfs = new RootfsManager(store);
  }

  public Store store() {
    return store;
  }

  public synchronized ContainerRuntime runtime() {
    if (runtime == null) {
      runtime = new ContainerRuntime(store.layout().runtimeDir());
    }
    return runtime;
  }

  /** A container ready to start: its row, bundle and spec. */
  public record Created(ContainerRecord record, Path bundle, Spec spec) { }

  /** Runs a created container in the foreground and returns its exit code. */
  public int runForeground(Created c, boolean interactive) throws IOException, ContainerException {
    String id = c.record().id();
    store.containers().markRunning(id, System.currentTimeMillis());
    int code;
    try {
      code = runtime().run(c.bundle(), id, Stdio.inherit(interactive));
    } catch (ContainerException | IOException | RuntimeException e) {
      store.containers().markExited(id, Errors.RUN_FAILED, System.currentTimeMillis());
      throw e;
    }
    store.containers().markExited(id, code, System.currentTimeMillis());
    return code;
  }

  /**
   * Starts a created container detached; its output goes to its log. A container created with
   * {@code --rm} is removed by {@code dcont rm --if-ended}, which its monitor starts when it has ended (and which
   * leaves it while a {@code restart} has turned its removal off, or once it runs again); one on a network has it
   * released by {@code dcont network cleanup}, which its monitor starts then.
   */
  public void startDetached(Created c) throws IOException, ContainerException {
    String id = c.record().id();
    Path log = store.layout().containerLog(id);
    OwnerOnly.createDirectories(log.getParent());
    store.containers().markRunning(id, System.currentTimeMillis());
    try {
      runtime().start(c.bundle(), id, log, c.record().autoRemove() ? selfCommand("rm", "--if-ended", id)
          : networks().lease(id).isPresent() ? selfCommand("network", "cleanup", id) : List.of(),
          "true".equals(c.spec().annotation(SpecFactory.OPEN_STDIN)));
    } catch (ContainerException | IOException | RuntimeException e) {
      store.containers().markExited(id, Errors.RUN_FAILED, System.currentTimeMillis());
      throw e;
    }
  }

  /** Whether container {@code r} was made with {@code -i}: started detached, its input is open for attach. */
  public boolean openStdin(ContainerRecord r) throws IOException {
    Path config = store.layout().container(r.id()).resolve("config.json");
    return Files.exists(config)
        && "true".equals(SpecJson.readSpec(config).annotation(SpecFactory.OPEN_STDIN));
  }

  /** A container's live status, as {@code ps} shows it; a paused container is running, with its processes frozen. */
  public record Status(ContainerRecord record, String state, Integer exitCode, int pid, boolean paused) {
    Status(ContainerRecord record, String state, Integer exitCode, int pid) {
      this(record, state, exitCode, pid, false);
    }

    public boolean running() {
      return state.equals("running");
    }
  }

  /**
   * What a container is doing now: the row says whether it was started; the runtime's state
   * (monitor alive or not, recorded exit code) says whether it still runs. A container whose
   * monitor died shows as exited.
   */
  public Status status(ContainerRecord r) {
    if (!r.state().equals(ContainerRecord.RUNNING)) {
      return new Status(r, r.state(), r.exitCode(), 0);
    }
    try {
      ContainerState s = runtime().state(r.id());
      if (ContainerState.RUNNING.equals(s.status()) || ContainerState.CREATED.equals(s.status())
          || ContainerState.CREATING.equals(s.status()) || ContainerState.PAUSED.equals(s.status())) {
        return new Status(r, "running", null, s.pid(), ContainerState.PAUSED.equals(s.status()));
      }
      OptionalInt code = runtime().exitCode(r.id());
      return exited(r, code.isPresent() ? code.getAsInt() : 137);
    } catch (ContainerException | IOException e) {
      // no runtime state: the process is gone (its monitor died, or dcont was killed)
      return exited(r, 137);
    }
  }

  /** Records an exit seen after the fact and unmounts the root, which only a running container needs. */
  private Status exited(ContainerRecord r, int code) {
    store.containers().markExited(r.id(), code, System.currentTimeMillis());
    // not while the process that attached it runs: it may be starting it still, and detaches it when it ends
    Optional<Lease> lease = networks().lease(r.id());
    if (lease.isPresent() && (!lease.get().attacherAlive() || lease.get().pid() == ProcessHandle.current().pid())) {
      detachNetwork(r.id());
    }
    try {
      rootfs.unmount(r.id());
    } catch (RuntimeException stillBusy) {
      // an exec'd process may still hold it; rm and prune unmount later
    }
    return new Status(r, ContainerRecord.EXITED, code, 0);
  }

  /** Brings every recorded container's state up to date (ps, df and prune show what is true now). */
  public List<Status> refreshAll() {
    List<Status> out = new java.util.ArrayList<>();
    for (ContainerRecord r : store.containers().list()) {
      out.add(status(r));
    }
    return out;
  }

  public Optional<ContainerRecord> find(String idOrName) {
    try {
      return store.containers().resolve(idOrName);
    } catch (dev.dcont.store.StoreException e) {
      throw new Errors.UserError(e.getMessage());
    }
  }

  public ContainerRecord get(String idOrName) {
    return find(idOrName).orElseThrow(() -> new Errors.UserError("No such container: " + idOrName));
  }

  /** Sends a signal to a running container. */
  public void kill(ContainerRecord r, int signal) throws IOException, ContainerException {
    Status s = status(r);
    if (!s.running()) {
      throw new Errors.UserError("container " + r.name() + " is not running");
    }
    signal(s, signal);
  }

  /**
   * Sends {@code signal} to the container whose status is {@code s}, and thaws it when it is paused, as Docker's
   * daemon does: a frozen process acts on a signal, SIGKILL included, only once it runs again.
   */
  private void signal(Status s, int signal) throws IOException, ContainerException {
    runtime().kill(s.record().id(), signal);
    if (s.paused()) {
      try {
        new ContainerControl(runtime()).resume(s.record().id());
      } catch (ContainerException notPausedNow) {
        // it ended of the signal already (a fatal one reaches a frozen process on newer kernels)
      }
    }
  }

  /** Freezes a running container's processes ({@code docker pause}). */
  public void pause(ContainerRecord r) throws IOException, ContainerException {
    Status s = status(r);
    if (!s.running()) {
      throw new Errors.UserError("container " + r.name() + " is not running");
    }
    if (s.paused()) {
      throw new Errors.UserError("container " + r.name() + " is already paused");
    }
    new ContainerControl(runtime()).pause(r.id());
  }

  /** Thaws a paused container ({@code docker unpause}). */
  public void unpause(ContainerRecord r) throws IOException, ContainerException {
    if (!status(r).paused()) {
      throw new Errors.UserError("container " + r.name() + " is not paused");
    }
    new ContainerControl(runtime()).resume(r.id());
  }

  /** StopSignal, then SIGKILL after {@code timeoutSeconds}; returns whether it had to kill. */
  public boolean stop(ContainerRecord r, int stopSignal, int timeoutSeconds)
      throws IOException, ContainerException, InterruptedException {
    Status s = status(r);
    if (!s.running()) {
      return false;
    }
    signal(s, stopSignal);
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      s = status(store.containers().byId(r.id()).orElseThrow());
      if (!s.running()) {
        return false;
      }
      Thread.sleep(20);
    }
    signal(s, 9);
    for (int i = 0; i < 500 && status(store.containers().byId(r.id()).orElseThrow()).running(); i++) {
      Thread.sleep(10);
    }
    return true;
  }

  /** Removes a container: its runtime state, mount, directory and row. Running ones need {@code force}. */
  public void remove(ContainerRecord r, boolean force) throws IOException, ContainerException {
    Status s = status(r);
    if (s.running()) {
      if (!force) {
        throw new Errors.UserError("cannot remove container " + r.name()
            + ": container is running (stop it first, or use rm -f)");
      }
      signal(s, 9);
    }
    removeQuietly(r.id());
  }

  /** Best-effort removal of everything a container has, in the order that leaves nothing orphaned. */
  void removeQuietly(String id) {
    try {
      runtime().delete(id, true);
    } catch (ContainerException | IOException | RuntimeException ignored) {
      // no runtime state (never started, or a foreground run cleaned it up)
    }
    try {
      JoinedNetwork.release(store.layout().container(id));
    } catch (RuntimeException leftMounted) {
      // the directory's removal below reports it
    }
    // netavark's teardown runs while the root is removed
    ContainerNetworks.Detaching net = null;
    try {
      net = networks().beginDetach(id);
    } catch (RuntimeException e) {
      // the lease stays; the next command's sweep takes it
    }
    try {
      rootfs.remove(id);
      store.containers().delete(id);
    } finally {
      if (net != null) {
        net.finish();
      }
    }
  }

  /**
   * After a foreground run without --rm: release its network, unmount, keep the container's changes for later
   * inspection.
   */
  public void unmount(String id) {
    detachNetwork(id);
    JoinedNetwork.release(store.layout().container(id));
    rootfs.unmount(id);
  }

  /**
   * After a container run in the foreground ended (or failed to start): removed when {@code remove} (--rm), else
   * its network released and its root unmounted, its changes kept. Best effort: 'dcont rm' and prune take what is
   * left.
   */
  public void releaseEnded(String id, boolean remove) {
    try {
      if (remove) {
        remove(store.containers().byId(id).orElseThrow(), true);
      } else {
        unmount(id);
      }
    } catch (IOException | ContainerException | RuntimeException ignored) {
      // still mounted, or its runtime state busy: left for rm
    }
  }

  /** Runs another process in a running container. */
  public int exec(ContainerRecord r, List<String> args, boolean tty, boolean interactive, List<String> env,
      String user, String workdir) throws IOException, ContainerException {
    Status st = status(r);
    if (!st.running()) {
      throw new Errors.UserError("container " + r.name() + " is not running", Errors.OPERATIONAL);
    }
    if (st.paused()) {
      throw new Errors.UserError("container " + r.name() + " is paused, unpause the container before exec",
          Errors.OPERATIONAL);
    }
    ProcessSpec base = runtime().processOf(r.id());
    ProcessSpec p = base.withArgs(args).withTerminal(tty);
    if (env != null && !env.isEmpty()) {
      java.util.List<String> merged = new java.util.ArrayList<>(base.env() == null ? List.of() : base.env());
      for (String e : env) {
        String key = e.contains("=") ? e.substring(0, e.indexOf('=')) : e;
        merged.removeIf(x -> x.startsWith(key + "="));
        if (e.contains("=")) {
          merged.add(e);
        } else if (System.getenv(e) != null) {
          merged.add(e + "=" + System.getenv(e));
        }
      }
      p = p.withEnv(merged);
    }
    if (workdir != null) {
      p = p.withCwd(workdir);
    }
    if (user != null) {
      UserSpec.Resolved u = UserSpec.resolveInUse(user, store.layout().container(r.id()).resolve("rootfs"));
      List<Long> groups = u.additionalGids().stream().map(Integer::longValue).toList();
      p = p.withUser(new ProcessSpec.User(u.uid(), u.gid(), null, groups.isEmpty() ? null : groups));
    }
    return runtime().exec(r.id(), p, Stdio.inherit(interactive));
  }

  /**
   * This dcont with the same store and other arguments, for a monitor to start later: the launcher again when
   * dcont was started by it ({@code dcont.launcher}), which sets the JVM's options; else the same JVM and class
   * path (dcont embedded, or in tests).
   */
  List<String> selfCommand(String... args) {
    List<String> cmd = new java.util.ArrayList<>();
    String launcher = System.getProperty("dcont.launcher");
    if (launcher != null) {
      cmd.add(launcher);
    } else {
      cmd.add(ProcessHandle.current().info().command()
          .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), dev.dcont.cli.Main.class.getName()));
    }
    cmd.addAll(List.of("--root", store.layout().root().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The store's networks and the containers on them. */
  public synchronized ContainerNetworks networks() {
    if (networks == null) {
      networks = new ContainerNetworks(store.layout().root());
    }
    return networks;
  }

  /** Releases what a container holds on its network, if anything (a container that ended holds nothing). */
  private void detachNetwork(String id) {
    try {
      networks().detach(id);
    } catch (RuntimeException e) {
      // the lease stays; the next command's sweep takes it
    }
  }

  /** Frees the networks of containers that are gone (rm, exit, or dcont or its monitor killed). */
  public void sweepNetworks() {
    networks().sweep(l -> NetworkMode.stale(this, l));
  }

  public Path logFile(ContainerRecord r) {
    return store.layout().containerLog(r.id());
  }
}
