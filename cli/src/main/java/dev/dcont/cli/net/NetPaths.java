package dev.dcont.cli.net;

import java.nio.file.Path;

/**
 * Where dcont keeps networks under its store root: {@code networks/NAME.json} (the definitions, as podman keeps
 * them in /etc/containers/networks) and {@code network/} (what is in use: the lock, one lease file per attached
 * container, the bind-mounted network namespaces and netavark's directory for aardvark-dns). A store of its own
 * has networks of its own; their bridges are in the network namespace the commands run in.
 */
public record NetPaths(Path root) {
  public Path definitions() {
    return root.resolve("networks");
  }

  public Path definition(String name) {
    return definitions().resolve(name + ".json");
  }

  public Path state() {
    return root.resolve("network");
  }

  public Path lock() {
    return state().resolve("lock");
  }

  public Path leases() {
    return state().resolve("leases");
  }

  public Path lease(String containerId) {
    return leases().resolve(containerId + ".json");
  }

  public Path netnsDir() {
    return state().resolve("netns");
  }

  public Path netns(String containerId) {
    return netnsDir().resolve(containerId);
  }

  /** netavark's --config: aardvark-dns's configuration and pid file. */
  public Path netavarkConfig() {
    return state().resolve("run");
  }
}
