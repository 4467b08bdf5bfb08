package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the network test classes share: each test makes a network namespace of its own and runs dcont (so
 * netavark's bridges, veths and firewall rules), the containers and its clients in it, so that no packet and no
 * rule reaches the host's network. A class starts {@link #host} and pulls its {@link #image} into {@link #root}
 * (from the loopback registry of the host's namespace) in a {@code @BeforeAll} of its own.
 */
abstract class NetworkTestBase {
  static ContainerHost host;
  static String image;

  @TempDir
  static Path root;
  @TempDir
  Path work;
  NetNamespace ns;

  @AfterAll
  static void closeHost() throws Exception {
    if (host != null) {
      host.close();
      host = null;
    }
  }

  @BeforeEach
  void namespace() throws Exception {
    ns = NetNamespace.create();
  }

  @AfterEach
  void removeWhatAFailedTestLeft() throws Exception {
    try {
      for (String id : dcont("ps", "-a", "-q", "--no-trunc").out().lines().toList()) {
        dcont("rm", "-f", id);
      }
      // the store is the class's: the next test makes networks of the same names
      dcont("network", "prune", "-f");
    } finally {
      ns.close();
    }
  }

  /** dcont in its own JVM in the test's namespace (its output and errors in one); a run gets the class's cgroup parent. */
  Cli.Result dcont(String... args) throws IOException, InterruptedException {
    return start(args).finish();
  }

  /** As {@link #dcont}, exit 0 asserted. */
  Cli.Result ok(String... args) throws Exception {
    Cli.Result r = dcont(args);
    assertEquals(0, r.code(), String.join(" ", args) + ": " + r);
    return r;
  }

  /** A dcont started, its output going to a file, its standard error to the same one or ({@code err}) its own. */
  record Started(Process process, Path out, Path err, String what) {
    Cli.Result finish() throws IOException, InterruptedException {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("dcont " + what + " did not finish in 120 s");
      }
      String o = Files.readString(out);
      return new Cli.Result(process.exitValue(), o, err == null ? o : Files.readString(err));
    }
  }

  Started start(String... args) throws IOException {
    return launch(true, args);
  }

  private Started launch(boolean errorsWithOutput, String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of(args));
    if (!a.isEmpty() && (a.get(0).equals("run") || a.get(0).equals("create"))) {
      a.addAll(1, List.of("--cgroup-parent", host.cgroups.name()));
    }
    Path out = Files.createTempFile(work, "dcont", ".log");
    Path err = errorsWithOutput ? null : Files.createTempFile(work, "dcont", ".err");
    ProcessBuilder pb = new ProcessBuilder(ns.wrap(Cli.javaCommand(root, a.toArray(String[]::new))))
        .redirectOutput(out.toFile());
    if (err == null) {
      pb.redirectErrorStream(true);
    } else {
      pb.redirectError(err.toFile());
    }
    return new Started(pb.start(), out, err, String.join(" ", args));
  }

  /** {@code dcont [KIND...] inspect WHAT}'s first object, its standard output alone. */
  JsonDoc inspect(String what, String... kind) throws Exception {
    List<String> a = new ArrayList<>(List.of(kind));
    a.add("inspect");
    a.add(what);
    Cli.Result r = launch(false, a.toArray(String[]::new)).finish();
    assertEquals(0, r.code(), String.join(" ", a) + ": " + r.err());
    return JsonDoc.parse(r.out()).get(0);
  }

  /** busybox wget in the test's namespace; the page or the error (its -T crashes Debian's static busybox). */
  Cli.Result fetch(String url) throws Exception {
    return ns.exec("timeout", "5", Busybox.BINARY.toString(), "wget", "-q", "-O", "-", url);
  }

  String fetchEventually(String url) throws Exception {
    String[] page = {""};
    Poll.until("a page from " + url, Duration.ofSeconds(20), () -> {
      Cli.Result r = fetch(url);
      page[0] = r.out();
      return r.code() == 0;
    });
    return page[0];
  }

  /**
   * The first line of busybox's {@code ping [FLAGS] NAME} in {@code container}, once the name resolves: netavark
   * signals aardvark-dns to read its names again and returns before it has.
   */
  String pingLine(String container, String name, String... flags) throws Exception {
    String command = "busybox ping " + String.join(" ", flags) + " -c 1 -W 2 " + name + " | head -1";
    String[] line = {""};
    Poll.until(name + " resolving in " + container, Duration.ofSeconds(20), () -> {
      line[0] = ok("exec", container, "sh", "-c", command).out();
      return line[0].startsWith("PING " + name + " (");
    });
    return line[0];
  }

  /**
   * Nothing of a network left: no veth, no lease, no namespace file, no IPv4 or IPv6 firewall rule naming
   * {@code needles}.
   */
  void assertNothingLeft(String... needles) throws Exception {
    String links = ns.exec("ip", "-o", "link").out();
    assertFalse(links.contains("veth"), "no veth left: " + links);
    String rules = ns.exec("iptables-save").out() + ns.exec("ip6tables-save").out();
    for (String n : needles) {
      assertFalse(rules.contains(n), "no rule with " + n + " left:\n" + rules);
    }
    for (String dir : new String[] {"leases", "netns"}) {
      Path d = root.resolve("network").resolve(dir);
      if (Files.isDirectory(d)) {
        try (Stream<Path> s = Files.list(d)) {
          assertEquals(List.of(), s.filter(f -> !f.getFileName().toString().startsWith(".")).toList(),
              "nothing left in network/" + dir);
        }
      }
    }
    assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(root.resolve("network").toString()),
        "no namespace mounted under the store");
  }
}
