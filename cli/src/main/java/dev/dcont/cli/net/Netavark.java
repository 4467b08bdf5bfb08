package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import dev.dcont.runtime.HostPrograms;
import dev.dcont.store.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * netavark driven as podman drives it: {@code netavark --config DIR --aardvark-binary PATH setup|teardown NSPATH}
 * with the network options JSON on standard input, its answer (per network: interfaces, addresses, gateway, mac)
 * as JSON on standard output, an error as {@code {"error": …}}. Standard input and output are files, not pipes:
 * aardvark-dns, which netavark starts for a network with names, lives on after netavark and would hold a pipe open.
 */
final class Netavark {
  private static final List<String> DIRS = List.of("/usr/libexec/podman", "/usr/lib/podman",
      "/usr/local/libexec/podman", "/usr/local/lib/podman");

  private final NetPaths paths;
  private final String netavark;
  private final String aardvark;

  Netavark(NetPaths paths) {
    this.paths = paths;
    HostPrograms.Found net = HostPrograms.find("netavark", DIRS);
    HostPrograms.Found dns = HostPrograms.find("aardvark-dns", DIRS);
    if (net.path() == null) {
      throw new Errors.UserError("the bridge network needs netavark, which " + (net.refused().isEmpty()
          ? "is not installed (install the package netavark, or run with --network none or host)"
          : "is not used: " + String.join("; ", net.refused())
              + " (only a netavark that only root can change is run)"), Errors.RUN_FAILED);
    }
    this.netavark = net.path().toString();
    this.aardvark = dns.path() == null ? null : dns.path().toString();
  }

  /** Sets up the namespace {@code netns} as {@code options} asks; netavark's answer. */
  Map<String, Object> setup(Path netns, Map<String, Object> options) {
    return start("setup", netns, options).await();
  }

  void teardown(Path netns, Map<String, Object> options) {
    start("teardown", netns, options).await();
  }

  /** netavark started on {@code verb}; {@link Call#await} waits for its answer. */
  Call start(String verb, Path netns, Map<String, Object> options) {
    if (verb.equals("setup")) {
      BridgeMac.fixAll(options);
    }
    Call c = new Call(verb);
    try {
      dev.dcont.store.OwnerOnly.createDirectories(paths.netavarkConfig());
      Path dir = paths.state();
      c.in = dev.dcont.store.OwnerOnly.createUnique(dir, "netavark-in-", ".json");
      c.out = dev.dcont.store.OwnerOnly.createUnique(dir, "netavark-out-", ".json");
      c.err = dev.dcont.store.OwnerOnly.createUnique(dir, "netavark-err-", ".txt");
      Files.write(c.in, Json.write(options));
      List<String> cmd = new ArrayList<>(List.of(netavark, "--config", paths.netavarkConfig().toString()));
      if (aardvark != null) {
        cmd.addAll(List.of("--aardvark-binary", aardvark));
      }
      cmd.addAll(List.of(verb, netns.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(c.in.toFile()).redirectOutput(c.out.toFile())
          .redirectError(c.err.toFile());
      pb.environment().put("PATH", HostPrograms.CHILD_PATH);
      c.process = pb.start();
      return c;
    } catch (IOException e) {
      c.clean();
      throw new UncheckedIOException(e);
    }
  }

  /** Whether names on a network with DNS are served: aardvark-dns is installed. */
  boolean dns() {
    return aardvark != null;
  }

  /** One run of netavark. */
  static final class Call {
    private final String verb;
    private Path in;
    private Path out;
    private Path err;
    private Process process;

    private Call(String verb) {
      this.verb = verb;
    }

    /** netavark's answer (empty for teardown); a NetavarkException with its error when it failed. */
    Map<String, Object> await() {
      try {
        int code = process.waitFor();
        byte[] answer = Files.readAllBytes(out);
        if (code != 0) {
          throw new NetavarkException("netavark " + verb + ": " + error(answer, Files.readString(err)));
        }
        if (verb.equals("teardown") || answer.length == 0) {
          return Map.of();
        }
        return Json.readObject(answer, "netavark's answer");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NetavarkException("netavark " + verb + ": interrupted");
      } finally {
        clean();
      }
    }

    private void clean() {
      for (Path f : new Path[] {in, out, err}) {
        if (f != null) {
          try {
            Files.deleteIfExists(f);
          } catch (IOException ignored) {
            // a temporary file; the next call makes its own
          }
        }
      }
    }
  }

  /** netavark's error: the {@code error} of its JSON answer, else the last line it wrote to standard error. */
  private static String error(byte[] answer, String stderr) {
    try {
      Object e = Json.readObject(answer, "netavark's error").get("error");
      if (e != null) {
        return String.valueOf(e);
      }
    } catch (IllegalArgumentException notJson) {
      // below
    }
    List<String> lines = stderr.lines().filter(l -> !l.isBlank() && !l.contains("syslog")).toList();
    return lines.isEmpty() ? "failed" : lines.get(lines.size() - 1).strip();
  }

  /** What netavark refused or failed to do, in its words. */
  static final class NetavarkException extends RuntimeException {
    NetavarkException(String message) {
      super(message);
    }
  }
}
