package dev.dcont.testkit;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The static probe (src/main/c/probe.c) that tests copy into a container's root to try what a confined container
 * must not do: keyrings, add_key, perf_event_open, user namespaces, device nodes, its stdout's file. Each check
 * prints {@code NAME: allowed} or {@code NAME: refused (ERRNO)}.
 */
public final class Probe {
  private Probe() { }

  /** The built binary (a plain file under the module's classes directory). */
  public static Path path() {
    URL u = Probe.class.getResource("probe");
    if (u == null || !u.getProtocol().equals("file")) {
      throw new IllegalStateException("the probe is not built: run the testkit module's compile phase (needs gcc)");
    }
    try {
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
