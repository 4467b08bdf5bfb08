package dev.dcont.cli;

import dev.dcont.testkit.TestCgroupParent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Runs dcont in this JVM (fast) or as a separate process (for kill -9 and concurrency tests). */
public final class Cli {
  private static final List<Path> SQLITE_DIRS = new java.util.concurrent.CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Path d : SQLITE_DIRS) {
        try (Stream<Path> s = Files.walk(d)) {
          s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
          // a temporary directory
        }
      }
    }));
  }
  private Cli() { }

  /** What a run printed and returned. */
  public record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  public static synchronized Result run(Path root, String... args) {
    GlobalOptions.reset();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(withoutNetwork(args)));
    int code = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    GlobalOptions.reset();
    return new Result(code, out.toString(), err.toString());
  }

  /** Runs dcont in this JVM with {@code stdin} as its standard input (e.g. {@code login --password-stdin}). */
  public static synchronized Result run(Path root, byte[] stdin, String... args) {
    InputStream old = System.in;
    System.setIn(new ByteArrayInputStream(stdin));
    try {
      return run(root, args);
    } finally {
      System.setIn(old);
    }
  }

  /** Starts dcont in a new JVM with this test's class path. */
  public static Process start(Path root, Path log, String... args) throws IOException {
    return start(root, log, java.util.Map.of(), args);
  }

  /** As above, with {@code env} added to the environment (what only the environment configures). */
  public static Process start(Path root, Path log, java.util.Map<String, String> env, String... args)
      throws IOException {
    ProcessBuilder pb = command(root, args).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  /**
   * dcont in its own process (a container writes to the real stdout, which an in-process run cannot capture),
   * its output and error in one file under {@code work}: exit code and output.
   */
  public static Result runProcess(Path root, Path work, String... args) throws IOException, InterruptedException {
    Path log = java.nio.file.Files.createTempFile(work, "out", ".log");
    Process p = start(root, log, args);
    if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("dcont " + String.join(" ", args) + " did not finish in 120 s");
    }
    String out = java.nio.file.Files.readString(log);
    return new Result(p.exitValue(), out, out);
  }

  /**
   * {@code args} with {@code --cgroup-parent} of {@code parent} right after a leading {@code run} or {@code create},
   * so that a test's containers are under a parent of its own and it asserts only on those.
   */
  public static String[] inParent(TestCgroupParent parent, String... args) {
    if (!makesContainer(args)) {
      return args;
    }
    List<String> all = new ArrayList<>(List.of(args[0], "--cgroup-parent", parent.name()));
    all.addAll(List.of(args).subList(1, args.length));
    return withoutNetwork(all.toArray(String[]::new));
  }

  /**
   * {@code args} with {@code --network none} after a leading {@code run} or {@code create} that names no network:
   * their default is the bridge, whose interfaces and firewall rules a test makes only in a network namespace of
   * its own ({@link NetNamespace}); tests that do not test networks keep off the host's network.
   */
  public static String[] withoutNetwork(String... args) {
    if (!makesContainer(args)) {
      return args;
    }
    for (String a : args) {
      if (a.equals("--network") || a.equals("--net") || a.startsWith("--network=") || a.startsWith("--net=")) {
        return args;
      }
    }
    List<String> all = new ArrayList<>(List.of(args[0], "--network", "none"));
    all.addAll(List.of(args).subList(1, args.length));
    return all.toArray(String[]::new);
  }

  private static boolean makesContainer(String... args) {
    return args.length > 0 && (args[0].equals("run") || args[0].equals("create"));
  }

  /** Removes every container of the store {@code root}: what a failed test left. */
  public static void removeContainers(Path root) {
    for (String id : run(root, "ps", "-a", "-q", "--no-trunc").out().lines().toList()) {
      run(root, "rm", "-f", id);
    }
  }

  /** dcont in a new JVM with this test's class path, for the caller to give its stdio and start. */
  public static ProcessBuilder command(Path root, String... args) {
    return new ProcessBuilder(javaCommand(root, withoutNetwork(args)));
  }

  /**
   * The command line of dcont in a new JVM with this test's class path, {@code args} as they are. Each gets a
   * directory of its own for sqlite-jdbc's native library: without the launcher's copy extracted at build time,
   * sqlite-jdbc writes one at every start and deletes the copies of others in its directory, and two commands
   * started together race on that, one logging the failure to standard error, where tests read dcont's output.
   */
  public static List<String> javaCommand(Path root, String... args) {
    Path sqlite;
    try {
      sqlite = Files.createTempDirectory("dcont-test-sqlite");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SQLITE_DIRS.add(sqlite);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.sqlite.tmpdir=" + sqlite,
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--root", root.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }
}
