package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An attach whose netavark runs ({@link ContainerNetworks#begin}), holding the store's network lock until it is
 * finished or aborted, once: the caller prepares the container's root meanwhile.
 */
public final class Attaching {
  private final ContainerNetworks networks;
  private final NetPaths paths;
  private final FileLock lock;
  private final Lease lease;
  private final NetworkDef net;
  private final List<String> addresses;
  private final ContainerNetworks.Request request;
  ContainerNetworks.Attached expected;
  Netavark.Call call;

  Attaching(ContainerNetworks networks, NetPaths paths, FileLock lock, Lease lease, NetworkDef net,
      List<String> addresses, ContainerNetworks.Request request) {
    this.networks = networks;
    this.paths = paths;
    this.lock = lock;
    this.lease = lease;
    this.net = net;
    this.addresses = addresses;
    this.request = request;
  }

  /** What the container is attached as. */
  public ContainerNetworks.Request request() {
    return request;
  }

  /**
   * The container as it will be attached on its first network (eth0): its namespace, address, gateway and name
   * servers; null when it is on no network (its namespace has loopback alone, until a network is connected).
   */
  public ContainerNetworks.Attached expected() {
    return expected;
  }

  /** The container's namespace. */
  public Path netns() {
    return lease.netns();
  }

  /** The container's address on each of its networks, eth0's first. */
  public List<String> addresses() {
    return addresses;
  }

  /** Waits for netavark; the container as attached on its first network (with its mac), or null on none. */
  public ContainerNetworks.Attached finish() {
    try {
      Map<String, Object> answer = call == null ? Map.of() : call.await();
      Lease done = lease.withStatus(answer);
      LeaseFiles.write(paths, done);
      return net == null ? null : done.attached(net);
    } catch (IOException | RuntimeException e) {
      fail(e);
      throw new IllegalStateException(e);
    } finally {
      ContainerNetworks.release(lock);
    }
  }

  /** Undoes the attach (the container could not be made): waits for netavark, then tears it all down. */
  public void abort() {
    try {
      if (call != null) {
        call.await();
      }
    } catch (RuntimeException ignored) {
      // torn down below all the same
    } finally {
      try {
        networks.detachLocked(lease);
      } finally {
        ContainerNetworks.release(lock);
      }
    }
  }

  void fail(Exception e) {
    try {
      networks.detachLocked(lease);
    } finally {
      ContainerNetworks.release(lock);
    }
    if (e instanceof Errors.UserError u) {
      throw u;
    }
    throw new Errors.UserError((net == null ? "network: " : "network " + net.name() + ": ") + Errors.message(e),
        Errors.RUN_FAILED);
  }
}
