package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.Probe;
import dev.dcont.testkit.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcont run} and {@code dcont exec} without {@code -t}: the container's stdin, stdout and stderr are pipes
 * that dcont relays, never the caller's own descriptors (through /proc/self/fd/1 a container could otherwise
 * chown and chmod the caller's file). Each dcont runs in its own JVM with the stdio a shell would give it.
 */
class StdioIntegrationTest {
  static ContainerHost host;
  static String image;

  @TempDir
  static Path root;
  @TempDir
  Path work;

  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("stdio");
    image = host.pushAndPull(root, "t/probe", TestImage.builder()
        .layer(Busybox.rootfs().file("bin/probe", Files.readAllBytes(Probe.path()), 0755).build(),
            Layer.Compression.GZIP).build());
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (host != null) {
      host.close();
    }
  }

  private static final String PIPES = "fd_is_pipe 0: allowed\nfd_is_pipe 1: allowed\nfd_is_pipe 2: allowed\n";

  /** A file of the caller's as nobody would have it: owned by 65534, mode 0644. */
  private Path callersFile(String name) throws IOException {
    Path f = Files.createFile(work.resolve(name));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setAttribute(f, "unix:uid", 65534);
    Files.setAttribute(f, "unix:gid", 65534);
    return f;
  }

  private static void assertUntouched(Path f) throws IOException {
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), "mode of " + f);
    assertEquals(65534, Files.getAttribute(f, "unix:uid"), "owner of " + f);
    assertEquals(65534, Files.getAttribute(f, "unix:gid"), "group of " + f);
  }

  private static int exitOf(Process p) throws InterruptedException {
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "dcont finished");
    return p.exitValue();
  }

  /** dcont with stdin from {@code in} (null: an empty pipe), stdout and stderr into files of this test. */
  private int dcont(byte[] in, Path out, Path err, String... args) throws Exception {
    Process p = Cli.command(root, host.inParent(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try (OutputStream stdin = p.getOutputStream()) {
      if (in != null) {
        stdin.write(in);
      }
    }
    return exitOf(p);
  }

  @Test
  void runCannotChangeTheCallersStdoutFileAndStdioArePipes() throws Exception {
    Path host = callersFile("hostfile");
    Path err = work.resolve("err");
    int code = dcont(null, host, err, "run", "--rm", image, "sh", "-c",
        "probe chmod_stdout chown_stdout; probe fd_is_pipe 0 fd_is_pipe 1 fd_is_pipe 2; exit 7");
    assertEquals(7, code, Files.readString(err));
    assertUntouched(host);
    assertTrue(Files.readString(host).endsWith(PIPES), Files.readString(host));
  }

  @Test
  void stderrStaysSeparateFromStdoutAndWithoutInteractiveStdinIsEmpty() throws Exception {
    Path out = work.resolve("out"), err = work.resolve("err");
    int code = dcont("not for the container\n".getBytes(), out, err, "run", "--rm", image, "sh", "-c",
        "echo to-out; echo to-err >&2; probe fd_is_pipe 2; wc -c");
    assertEquals(0, code, Files.readString(err));
    assertEquals(List.of("to-out", "fd_is_pipe 2: allowed", "0"),
        Files.readString(out).lines().map(String::trim).toList());
    assertTrue(Files.readString(err).lines().anyMatch("to-err"::equals), Files.readString(err));
    assertFalse(Files.readString(err).contains("to-out"), Files.readString(err));
  }

  @Test
  void stdoutAndStderrThatAreOneFileKeepTheOrderTheyWereWrittenIn() throws Exception {
    // dcont run ... > FILE 2>&1: one pipe for both, as the one file was before
    Path both = work.resolve("both");
    Process p = Cli.command(root, host.inParent("run", "--rm", image, "sh", "-c",
        "for i in 1 2 3 4 5 6 7 8; do echo out$i; echo err$i >&2; done; probe fd_is_pipe 1 fd_is_pipe 2 >&2"))
        .redirectErrorStream(true).redirectOutput(both.toFile()).start();
    p.getOutputStream().close();
    assertEquals(0, exitOf(p), Files.readString(both));
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 8; i++) {
      expected.append("out").append(i).append("\nerr").append(i).append('\n');
    }
    assertEquals(expected + "fd_is_pipe 1: allowed\nfd_is_pipe 2: allowed\n", Files.readString(both));
  }

  @Test
  void interactiveInputIsRelayedUntilItsEnd() throws Exception {
    // printf 'a\nb\n' | dcont run -i IMAGE cat
    Path out = work.resolve("out"), err = work.resolve("err");
    assertEquals(0, dcont("a\nb\n".getBytes(), out, err, "run", "--rm", "-i", image, "cat"), Files.readString(err));
    assertEquals("a\nb\n", Files.readString(out));

    // dcont run -i IMAGE ... < FILE: the container reads a pipe, not the caller's file
    Path in = Files.writeString(work.resolve("in"), "c\nd\n");
    Path fileOut = work.resolve("file-out"), fileErr = work.resolve("file-err");
    Process p = Cli.command(root, host.inParent("run", "--rm", "-i", image, "sh", "-c", "probe fd_is_pipe 0 >&2; cat"))
        .redirectInput(in.toFile()).redirectOutput(fileOut.toFile()).redirectError(fileErr.toFile()).start();
    assertEquals(0, exitOf(p), Files.readString(fileErr));
    assertEquals("c\nd\n", Files.readString(fileOut));
    assertTrue(Files.readString(fileErr).contains("fd_is_pipe 0: allowed"), Files.readString(fileErr));
  }

  @Test
  void sixtyFourMebibytesThroughCatArriveWhole() throws Exception {
    byte[] data = new byte[64 << 20];
    new Random(64).nextBytes(data);
    Path in = Files.write(work.resolve("in"), data);
    Path out = work.resolve("out"), err = work.resolve("err");
    Process p = Cli.command(root, host.inParent("run", "--rm", "-i", image, "sh", "-c", "probe fd_is_pipe 0 fd_is_pipe 1 >&2; cat"))
        .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertEquals(0, exitOf(p), Files.readString(err));
    assertArrayEquals(data, Files.readAllBytes(out));
    assertTrue(Files.readString(err).contains("fd_is_pipe 0: allowed\nfd_is_pipe 1: allowed"), Files.readString(err));
  }

  @Test
  void throughTheRelayAReaderThatStartsAfterTheContainerEndedGetsEverythingItWrote() throws Exception {
    // 1.5 MiB: more than one pipe holds and less than the relay's two (the container's and the caller's, both
    // grown to 1 MiB), so the container ends with output still in the relay; this reader reads nothing before
    // the monitor has reaped the container's init
    int size = 3 << 19;
    Path err = work.resolve("err");
    Process p = Cli.command(root, host.inParent("run", "--rm", image, "sh", "-c", "probe fd_is_pipe 0 >&2; head -c " + size
        + " /dev/zero")).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    long[] init = {0};
    Poll.until("the container's init pid", Duration.ofSeconds(60), () -> (init[0] = initPid()) > 0);
    Poll.until("the container to end before its output is read", Duration.ofSeconds(60),
        () -> !Files.exists(Path.of("/proc/" + init[0])));
    assertTrue(p.isAlive(), "dcont waits for its reader to take what the container wrote");
    long total = 0;
    byte[] buf = new byte[128 << 10];
    try (InputStream stdout = p.getInputStream()) {
      for (int n; (n = stdout.read(buf)) > 0; ) {
        total += n;
      }
    }
    assertEquals(0, exitOf(p), Files.readString(err));
    assertEquals(size, total);
    assertTrue(Files.readString(err).contains("fd_is_pipe 0: allowed"), Files.readString(err));
  }

  /** The pid of the one container of this test's store, from its runtime state; 0 before it is recorded. */
  private long initPid() throws IOException {
    Path runtime = root.resolve("runtime");
    if (!Files.isDirectory(runtime)) {
      return 0;
    }
    try (java.util.stream.Stream<Path> dirs = Files.list(runtime)) {
      for (Path d : dirs.toList()) {
        Path pid = d.resolve("pid");
        if (Files.isRegularFile(pid)) {
          String text = Files.readString(pid).strip();
          return text.isEmpty() ? 0 : Long.parseLong(text);
        }
      }
    }
    return 0;
  }

  @Test
  void aSignalEndsTheWaitForAReaderThatNeverReadsOnceTheContainerHasEnded() throws Exception {
    // the output fits in the relay's pipe, so the container ends; nobody reads this process's stdout
    Path err = work.resolve("err");
    Process p = Cli.command(root, host.inParent("run", "--rm", image, "sh", "-c", "head -c 900000 /dev/zero; probe fd_is_pipe 0 >&2"))
        .redirectError(err.toFile()).start();
    p.getOutputStream().close();
    try {
      Poll.until("the container to write and end", Duration.ofSeconds(60),
          () -> Files.readString(err).contains("fd_is_pipe 0: allowed") || !p.isAlive());
      assertTrue(p.isAlive(), "the container wrote and ended: " + Files.readString(err));
      // before the container has ended TERM goes to its init (sh, without a handler: ignored); after, it ends dcont
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
        assertTrue(System.nanoTime() < deadline, "dcont still waits for its reader");
        p.toHandle().destroy();
      }
    } finally {
      // a reader gone: the relay (or the container itself) gets EPIPE, and what is left ends
      p.getInputStream().close();
      exitOf(p);
    }
  }

  @Test
  void execGetsPipesTooAndItsInputEnds() throws Exception {
    String name = "stdio-exec-" + ProcessHandle.current().pid();
    // sleep keeps the container running for the exec
    Cli.Result started = Cli.run(root, host.inParent("run", "-d", "--name", name, image, "sleep", "60"));
    assertEquals(0, started.code(), started.toString());
    try {
      Path host = callersFile("hostfile");
      Path err = work.resolve("err");
      int code = dcont(null, host, err, "exec", name, "sh", "-c",
          "probe chmod_stdout chown_stdout; probe fd_is_pipe 0 fd_is_pipe 1 fd_is_pipe 2; exit 7");
      assertEquals(7, code, Files.readString(err));
      assertUntouched(host);
      assertTrue(Files.readString(host).endsWith(PIPES), Files.readString(host));

      Path out = work.resolve("cat-out"), catErr = work.resolve("cat-err");
      assertEquals(0, dcont("a\nb\n".getBytes(), out, catErr, "exec", "-i", name, "cat"), Files.readString(catErr));
      assertEquals("a\nb\n", Files.readString(out));
    } finally {
      Cli.run(root, "rm", "-f", name);
    }
  }
}
