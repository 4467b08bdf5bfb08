package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec -u NAME} and {@code run} look up the user and make the working directory inside the container's
 * root, whatever a running container did to its files; in a store of its own, with containers of its own.
 */
class ContainerRootLookupIntegrationTest {
  private static final String NOT_FOUND = "dcont: unable to find user %s: no matching entries in passwd file";

  static ContainerHost host;
  static String busybox;
  static String linkedWorkdir;

  @TempDir
  static Path store;
  /** The host directory that the second image's {@code /w} points at. */
  @TempDir
  static Path hostDir;
  @TempDir
  Path work;

  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("root-lookup");
    busybox = host.pushAndPull(store, "t/busybox", TestImage.builder()
        .layer(Busybox.rootfs()
            .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n")
            .build(), Layer.Compression.GZIP).build());
    linkedWorkdir = host.pushAndPull(store, "t/linked-workdir", TestImage.builder()
        .layer(Busybox.rootfs()
            .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n")
            .symlink("w", hostDir.toString())
            .build(), Layer.Compression.GZIP)
        .config("WorkingDir", "/w/x")
        .config("User", "app")
        .config("Cmd", List.of("sh", "-c", "pwd -P; stat -c %u:%g .")).build());
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (host != null) {
      host.close();
    }
  }

  @AfterEach
  void removeContainers() {
    Cli.removeContainers(store);
  }

  /** dcont in its own process (the container writes to its stdout), which must end within 60 s. */
  private Cli.Result dcont(String... args) throws IOException, InterruptedException {
    Path log = Files.createTempFile(work, "out", ".log");
    Process p = Cli.start(store, log, host.inParent(args));
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("dcont " + String.join(" ", args) + " did not end within 60 s: "
          + Files.readString(log));
    }
    String out = Files.readString(log);
    return new Cli.Result(p.exitValue(), out, out);
  }

  private String startContainer(String name) {
    // sleep keeps the container running while the test works in its root
    Cli.Result r = Cli.run(store, host.inParent("run", "-d", "--name", name, busybox, "sleep", "600"));
    assertEquals(0, r.code(), r.toString());
    return name;
  }

  /** Runs {@code script} as root in the container; it must succeed. */
  private void inContainer(String c, String script) {
    Cli.Result r = Cli.run(store, "exec", c, "sh", "-c", script);
    assertEquals(0, r.code(), script + ": " + r);
  }

  /** {@code exec -u user} fails at once, before running anything, with Docker's one line. */
  private void assertUserNotFound(String c, String user) {
    Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> Cli.run(store, "exec", "-u", user, c, "touch", "/ran"));
    assertEquals(125, r.code(), r.toString());
    assertEquals(List.of(String.format(NOT_FOUND, user)), r.err().lines().toList(), r.toString());
    assertEquals(1, Cli.run(store, "exec", c, "test", "-e", "/ran").code(), "nothing ran");
  }

  @Test
  void execUserIsNotLookedUpInAHostFileThatThePasswdLinksTo() throws Exception {
    Path hostPasswd = work.resolve("host-passwd");
    Files.writeString(hostPasswd, "hostonlyuser:x:4242:4242::/:/bin/sh\n");
    String c = startContainer("link-to-host");
    inContainer(c, "rm /etc/passwd && busybox ln -s " + hostPasswd + " /etc/passwd");
    assertUserNotFound(c, "hostonlyuser");
  }

  @Test
  void execUserLookupThroughDevZeroADeviceNodeOrAFifoFailsAtOnce() throws Exception {
    String c = startContainer("not-a-file");
    inContainer(c, "rm /etc/passwd && busybox ln -s /dev/zero /etc/passwd");
    assertUserNotFound(c, "app");
    inContainer(c, "rm /etc/passwd && busybox mknod /etc/passwd c 1 5");
    assertUserNotFound(c, "app");
    inContainer(c, "rm /etc/passwd && busybox mkfifo /etc/passwd");
    assertUserNotFound(c, "app");
  }

  @Test
  void execFollowsSymlinksInsideTheContainerRootAsDocker() throws Exception {
    String c = startContainer("link-inside");
    inContainer(c, "busybox cp /etc/passwd /etc/passwd.real && echo inroot:x:4343:4343::/:/bin/sh >> /etc/passwd.real"
        + " && rm /etc/passwd && busybox ln -s ../etc/./passwd.real /etc/passwd");
    Cli.Result r = dcont("exec", "-u", "inroot", c, "id", "-u");
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("4343"), r.out().lines().toList());
  }

  @Test
  void aWorkingDirectoryBehindASymlinkToAHostPathIsMadeInsideTheRoot() throws Exception {
    Cli.Result r = dcont("run", "--rm", linkedWorkdir);
    assertEquals(0, r.code(), r.toString());
    // the link is followed inside the container: the directory is the host path's twin in the root, the user's
    assertEquals(List.of(hostDir + "/x", "1000:1000"), r.out().lines().toList());
    try (Stream<Path> s = Files.list(hostDir)) {
      assertEquals(List.of(), s.toList(), "nothing is made in the host directory");
    }
    assertFalse(Files.exists(hostDir.resolve("x")));
  }
}
