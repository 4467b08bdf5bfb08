package dev.dcont.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace of a test's own (loopback up), in which it runs dcont, its containers' bridge and firewall
 * rules, and its clients, so that nothing it does reaches the host's network. Commands enter it with nsenter
 * (the network namespace only: {@code ip netns exec} also makes a mount namespace, where the bind mounts of
 * containers' namespaces would stay). Removing it ends what is left in it (aardvark-dns).
 */
final class NetNamespace implements AutoCloseable {
  private static final AtomicInteger COUNT = new AtomicInteger();
  final String name;

  private NetNamespace(String name) {
    this.name = name;
  }

  static NetNamespace create() throws IOException, InterruptedException {
    String name = "dcont-t" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet();
    NetNamespace ns = new NetNamespace(name);
    ns.check("ip", "netns", "add", name);
    ns.check("ip", "-n", name, "link", "set", "lo", "up");
    return ns;
  }

  Path file() {
    return Path.of("/run/netns", name);
  }

  /** {@code cmd} entering this namespace. */
  List<String> wrap(List<String> cmd) {
    List<String> all = new ArrayList<>(List.of("nsenter", "--net=" + file()));
    all.addAll(cmd);
    return all;
  }

  /** Runs {@code cmd} in the namespace: exit code and output (standard error with it). */
  Cli.Result exec(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(wrap(List.of(cmd))).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish in 60 s");
    }
    String s = new String(out, StandardCharsets.UTF_8);
    return new Cli.Result(p.exitValue(), s, s);
  }

  private void check(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + ": " + out);
    }
  }

  @Override
  public void close() throws Exception {
    String id = "net:[" + Files.getAttribute(file(), "unix:ino") + "]";
    ProcessHandle.allProcesses().filter(h -> {
      try {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "ns", "net")).toString().equals(id);
      } catch (IOException | RuntimeException gone) {
        return false;
      }
    }).forEach(ProcessHandle::destroyForcibly);
    check("ip", "netns", "del", name);
  }
}
