package dev.dcont.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
   * The built binary: the plain file under the module's classes directory, or, when the tests run against the
   * packaged testkit jar ({@code mvn verify}), a copy of it in a temporary file.
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
        Path tmp = Files.createTempFile("dcont-probe", "",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (InputStream in = u.openStream()) {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        tmp.toFile().deleteOnExit();
        extracted = tmp;
      }
      return extracted;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("copying the probe out of " + u, e);
    }
  }
}
