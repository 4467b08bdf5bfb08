package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.content.Sha256;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The igzip shim of an installed dcont (layers from a jar) is never loaded from a cache directory that another
 * user can write: a library planted where an earlier dcont cached its copy is not loaded, and igzip still works.
 */
class IgzipShimTest {
  private static final String SHIM = "dev/dcont/layers/native/libdcont-igzip.so";

  @TempDir
  Path tmp;

  @Test
  void aLibraryPlantedInTheCacheIsNeverLoadedAndIgzipStillWorks() throws Exception {
    Path classes = Path.of(Igzip.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path shim = classes.resolve(SHIM);
    if (!Files.isRegularFile(shim)) {
      assertTrue(System.getenv("CI") == null, "the igzip shim was not built under CI=true: install libisal-dev");
      Assumptions.abort("ISA-L not installed (apt-get install libisal-dev): no shim to load");
    }
    Path jar = jarOf(classes, tmp.resolve("layers.jar"));

    // what an earlier dcont's cache looked like, in a directory anyone may write, with a library of someone else's
    Path cache = Files.createDirectories(tmp.resolve("xdg/dcont"));
    Files.setPosixFilePermissions(tmp.resolve("xdg"), PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
    byte[] bytes = Files.readAllBytes(shim);
    Sha256 sha = Sha256.create();
    sha.update(bytes, 0, bytes.length);
    Path planted = cache.resolve("libdcont-igzip-" + sha.digest().hex().substring(0, 16) + ".so");
    Path marker = tmp.resolve("marker");
    Path src = Files.writeString(tmp.resolve("planted.c"), """
        #include <fcntl.h>
        #include <unistd.h>
        __attribute__((constructor)) static void planted(void) {
          int fd = open("%s", O_WRONLY | O_CREAT, 0644);
          if (fd >= 0) close(fd);
        }
        """.formatted(marker));
    Process cc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", planted.toString(), src.toString())
        .redirectErrorStream(true).start();
    String ccOut = new String(cc.getInputStream().readAllBytes());
    assertEquals(0, cc.waitFor(), ccOut);

    List<String> cp = new ArrayList<>(List.of(jar.toString()));
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!Path.of(e).toAbsolutePath().equals(classes.toAbsolutePath())) {
        cp.add(e);
      }
    }
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", String.join(File.pathSeparator, cp), IgzipProbe.class.getName()).redirectErrorStream(true);
    pb.environment().put("XDG_CACHE_HOME", tmp.resolve("xdg").toString());
    pb.environment().remove("DCONT_GZIP");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);

    assertFalse(Files.exists(marker), "the library planted in " + cache + " was loaded");
    assertTrue(out.contains("available=true stream=true text=through igzip"), out);
    try (Stream<Path> s = Files.list(cache)) {
      assertEquals(List.of(planted), s.toList(), "nothing was written to the cache either");
    }
  }

  /** The classes directory as a jar: the shim is then a resource inside a jar, as in an installed dcont. */
  static Path jarOf(Path classes, Path jar) throws IOException {
    try (OutputStream f = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(f);
        Stream<Path> files = Files.walk(classes)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString()));
        try (InputStream in = Files.newInputStream(p)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
    return jar;
  }
}
