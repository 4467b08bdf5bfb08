package dev.dcont.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The static probe (src/main/c/probe.c) that tests copy into a container's root to try what a confined container
 * must not do: keyrings, add_key, perf_event_open, user namespaces, device nodes, its stdout's file. Each check
 * prints {@code NAME: allowed} or {@code NAME: refused (ERRNO)}.
 */
public final class Probe {
  private static Path extracted;

  private Probe() { }

  /**
   * The built binary: the file under the module's classes directory, or, when the tests see testkit as its jar
   * (a reactor build that packaged it), a copy of it in a temporary directory.
   */
  public static synchronized Path path() {
    URL u = Probe.class.getResource("probe");
    if (u == null) {
      throw new IllegalStateException("the probe is not built: run the testkit module's compile phase (needs gcc)");
    }
    try {
      if (u.getProtocol().equals("file")) {
        return Path.of(u.toURI());
      }
      if (extracted == null) {
        Path dir = Files.createTempDirectory("dcont-probe");
        dir.toFile().deleteOnExit(); // registered first, deleted last: after the file
        Path p = dir.resolve("probe");
        try (InputStream in = u.openStream()) {
          Files.copy(in, p);
        }
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r-xr-xr-x"));
        p.toFile().deleteOnExit();
        extracted = p;
      }
      return extracted;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("extracting the probe: " + e.getMessage(), e);
    }
  }
}
