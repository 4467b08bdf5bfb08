package dev.dcont.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.testkit.HostCommand;
import dev.dcont.testkit.TestCgroupParent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An OCI runtime binary with runc's command line that the clients are told to use: dcont's own
 * ({@code dcont-runtime} at the repository's root) and runc, the reference the same steps must pass with.
 */
record Runtime(String name, Path binary) {
  static final String DCONT_RUNTIME = "dcont-runtime";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * The runtimes the clients' tests drive: runc always, and dcont-runtime once the repository has it (built and
   * installed like ./dcont); until then each test class says so in its output.
   */
  static List<Runtime> all() {
    List<Runtime> out = new ArrayList<>();
    out.add(new Runtime("runc", Host.require("runc", "runc")));
    Path dcont = Host.repositoryRoot().resolve(DCONT_RUNTIME);
    if (Files.isRegularFile(dcont) && Files.isExecutable(dcont)) {
      out.add(new Runtime(DCONT_RUNTIME, dcont));
    } else {
      System.out.println("note: no executable " + dcont + ": the clients drive runc only");
    }
    return out;
  }

  /**
   * A script {@code dir/NAME-label} that appends its arguments to {@link Wrapped#log()} and executes the runtime
   * with them: given to a client as its runtime, it records which commands the client runs, in order, for the
   * test's output.
   */
  Wrapped wrap(Path dir, String label) throws IOException {
    Path script = dir.resolve(name + "-" + label);
    Path log = dir.resolve(name + "-" + label + ".argv");
    Files.writeString(log, "");
    Files.writeString(script, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> " + Host.shellQuote(List.of(log.toString()))
        + "\nexec " + Host.shellQuote(List.of(binary.toString())) + " \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new Wrapped(this, script, log);
  }

  /** A runtime behind its argument-logging script. */
  record Wrapped(Runtime runtime, Path script, Path log) {
    /** The runtime's command lines so far, one a line. */
    String calls() throws IOException {
      return Files.readString(log);
    }

    /** The IDs of the containers the client created (the last argument of each {@code create}). */
    List<String> created() throws IOException {
      List<String> ids = new ArrayList<>();
      for (String line : Files.readAllLines(log)) {
        List<String> words = List.of(line.split(" "));
        if (words.contains("create")) {
          ids.add(words.get(words.size() - 1));
        }
      }
      return ids;
    }

    /**
     * Those of {@link #created()} that the runtime still lists, in its default root or with {@code global} options
     * ({@code --root DIR}) before its command; they are deleted (so that a failed test leaves no state behind) and
     * returned for the test to report. {@code dir} takes the commands' output.
     */
    List<String> removeListed(Path dir, String... global) throws IOException, InterruptedException {
      List<String> listed = HostCommand.run(dir, TIMEOUT, command(global, "list", "-q")).ok().out().lines().toList();
      List<String> ids = created();
      ids.retainAll(listed);
      for (String id : ids) {
        HostCommand.run(dir, TIMEOUT, command(global, "delete", "--force", id));
      }
      return ids;
    }

    /** Prints what the container printed under {@code client} (podman, ctr) and the runtime's calls so far. */
    void report(String client, String what, String printed) throws IOException {
      System.out.println("[" + runtime + "] " + client + " " + what + ": the container printed:\n" + printed
          + "\n[" + runtime + "] runtime calls:\n" + calls());
    }

    /**
     * The part of a test's last check that every client shares: no mount left under {@code dir}, none of the
     * cgroups {@code cgroupNames} under {@code cgroups}, and no container the runtime still listed ({@code listed},
     * from {@link #removeListed}); {@code calls} goes with the last failure.
     */
    void assertNoContainerLeft(Path dir, TestCgroupParent cgroups, List<String> cgroupNames, List<String> listed,
        String calls) throws IOException {
      assertEquals(List.of(), Host.mountsUnder(dir), "container mounts left");
      Set<String> left = cgroups.childNames();
      left.retainAll(cgroupNames);
      assertEquals(Set.of(), left, "container cgroups left under " + cgroups.name());
      assertEquals(List.of(), listed, "containers the runtime still listed" + calls);
    }

    private List<String> command(String[] global, String... args) {
      List<String> cmd = new ArrayList<>(List.of(runtime.binary().toString()));
      cmd.addAll(List.of(global));
      cmd.addAll(List.of(args));
      return cmd;
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
