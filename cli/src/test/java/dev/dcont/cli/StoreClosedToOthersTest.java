package dev.dcont.cli;

import dev.dcont.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another local user (here nobody, through setpriv) reaches nothing of the store or the runtime state: not the
 * secrets given with -e and --env-file (in config.json, the plan, the log), not the setuid files a container made
 * in its upper directory (the CVE-2021-41091 pattern). dcont runs with umask 000 here, so every mode it relies on
 * is one it sets. Inside the container, any user still reads /etc/hosts and traverses / under any umask.
 */
class StoreClosedToOthersTest {
  static ContainerHost host;
  static String busybox;

  @TempDir
  Path tmp;
  Path root;

  @BeforeAll
  static void startRegistry() throws Exception {
    host = ContainerHost.start("closed", "containers need namespaces, overlayfs and host.cgroups; the checks switch to another uid");
    busybox = host.registry.push("t/busybox", "1", TestImage.builder()
        .layer(Busybox.rootfs().build(), Layer.Compression.GZIP).config("Cmd", List.of("sh")).build());
  }

  @BeforeEach
  void pullIntoAStoreOfItsOwn() throws Exception {
    // the store sits where anyone may look, as /var/lib is: what keeps others out must be the store's own modes
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    root = tmp.resolve("store");
    Cli.Result pull = dcont("000", "pull", "-q", busybox);
    assertEquals(0, pull.code(), pull.toString());
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (host != null) {
      host.close();
    }
  }

  @Test
  void anotherUserReadsNoSecretAndRunsNoSetuidFileOfARunningContainer() throws Exception {
    String secret = "s3cr3t-" + UUID.randomUUID();
    String fromFile = "f1le-" + UUID.randomUUID();
    Path envFile = Files.writeString(Files.createDirectory(tmp.resolve("env")).resolve("env"),
        "FROM_FILE=" + fromFile + "\n");
    // sleep keeps the container running while another user looks at it
    Cli.Result started = dcont("000", "run", "-d", "-e", "SECRET=" + secret, "--env-file", envFile.toString(),
        busybox, "sh", "-c", "busybox cp /bin/busybox /suid && busybox chmod 4755 /suid && echo $SECRET $FROM_FILE"
            + " && sleep 600");
    assertEquals(0, started.code(), started.toString());
    String id = started.out().strip().lines().reduce((a, b) -> b).orElseThrow();
    try {
      Path container = root.resolve("containers").resolve(id);
      Path suid = container.resolve("upper/suid");
      Path log = container.resolve("container.log");
      Poll.holdsWithin(java.time.Duration.ofSeconds(20), () -> Files.exists(suid) && (mode(suid) & 04000) != 0
          && Files.exists(log) && Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1).contains(secret));
      assertEquals(04755, mode(suid), "the container made its setuid file");

      // where the secrets are, as root sees it: the test is worth something only if they are somewhere
      List<Path> holders = filesContaining(root, secret);
      assertTrue(holders.containsAll(List.of(container.resolve("config.json"), log,
          root.resolve("runtime").resolve(id).resolve("plan"))), holders.toString());
      assertTrue(filesContaining(root, fromFile).contains(container.resolve("config.json")));
      for (Path f : holders) {
        Cli.Result read = asNobody("cat", f.toString());
        assertNotEquals(0, read.code(), "nobody read " + f + ": " + read + "\n" + asNobody("ls", "-ld",
            root.toString(), root.resolve("containers").toString(), container.toString(), f.toString()));
        assertFalse(read.out().contains(secret), f.toString());
      }
      Cli.Result grep = asNobody("grep", "-r", "-l", "-s", "-e", secret, "-e", fromFile, root.toString());
      assertEquals("", grep.out(), "nobody found the secrets in these files");

      Cli.Result stat = asNobody("stat", suid.toString());
      assertNotEquals(0, stat.code(), "nobody reached " + suid + ": " + stat);
      Cli.Result exec = asNobody(suid.toString(), "true");
      assertNotEquals(0, exec.code(), "nobody ran the setuid file " + suid + ": " + exec);
      Path lowerSuid = null;
      try (Stream<Path> s = Files.walk(root.resolve("snapshots"))) {
        lowerSuid = s.filter(p -> p.endsWith("bin/busybox")).findFirst().orElseThrow();
      }
      assertNotEquals(0, asNobody("stat", lowerSuid.toString()).code(), "nobody reached the image's " + lowerSuid);

      // the modes themselves, whatever dcont's umask was
      for (Path d : List.of(root, root.resolve("containers"), root.resolve("runtime"), root.resolve("snapshots"),
          root.resolve("l"), root.resolve("blobs"), container, root.resolve("runtime").resolve(id),
          container.resolve("etc"))) {
        assertEquals(0700, mode(d), d.toString());
      }
      for (Path f : List.of(container.resolve("config.json"), log, root.resolve("runtime").resolve(id).resolve("plan"),
          root.resolve("runtime").resolve(id).resolve("state.json"), root.resolve("dcont.db"))) {
        assertEquals(0600, mode(f), f.toString());
      }
      for (String sqlite : List.of("dcont.db-wal", "dcont.db-shm")) {
        if (Files.exists(root.resolve(sqlite))) {
          assertEquals(0600, mode(root.resolve(sqlite)), sqlite);
        }
      }
      for (String etc : List.of("hosts", "hostname", "resolv.conf")) {
        assertEquals(0644, mode(container.resolve("etc").resolve(etc)), etc);
      }
      assertEquals(0755, mode(container.resolve("upper")), "the container's / (the upper directory's mode)");
    } finally {
      assertEquals(0, Cli.run(root, "rm", "-f", id).code());
    }
  }

  @Test
  void anyUserInTheContainerReadsTheEtcFilesAndTraversesRootAndTheWorkdirUnderAnyUmask() throws Exception {
    for (String umask : List.of("077", "000")) {
      Cli.Result r = dcont(umask, "run", "--rm", "-u", "nobody", "-w", "/made/by/dcont", busybox, "sh", "-c",
          "cat /etc/hosts /etc/hostname /etc/resolv.conf >/dev/null && ls / >/dev/null && echo readable"
              + " && stat -c 'workdir %a' /made /made/by/dcont");
      assertEquals(0, r.code(), "umask " + umask + ": " + r);
      assertTrue(r.out().lines().anyMatch("readable"::equals), "umask " + umask + ": " + r);
      assertEquals(List.of("workdir 755", "workdir 755"),
          r.out().lines().filter(l -> l.startsWith("workdir")).toList(), "umask " + umask + ": " + r);
    }
  }

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  /** Regular files under {@code dir} (not following links) whose bytes contain {@code text}. */
  private static List<Path> filesContaining(Path dir, String text) throws IOException {
    byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))::iterator) {
        byte[] b = Files.readAllBytes(p);
        for (int i = 0; i + needle.length <= b.length; i++) {
          if (java.util.Arrays.equals(b, i, i + needle.length, needle, 0, needle.length)) {
            out.add(p);
            break;
          }
        }
      }
    }
    return out;
  }

  /** Runs {@code cmd} as uid and gid 65534 with no supplementary groups. */
  private static Cli.Result asNobody(String... cmd) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
    all.addAll(List.of(cmd));
    return finish(new ProcessBuilder(all).redirectErrorStream(true).start(), String.join(" ", cmd));
  }

  /** dcont in a JVM of its own, with {@code umask} (octal), on this test's store. */
  private Cli.Result dcont(String umask, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--root", root.toString()));
    cmd.addAll(List.of(host.inParent(args)));
    return finish(new ProcessBuilder(cmd).redirectErrorStream(true).start(), String.join(" ", args));
  }

  private static Cli.Result finish(Process p, String what) throws IOException, InterruptedException {
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), what + " finished");
    return new Cli.Result(p.exitValue(), out, out);
  }
}
