package dev.dcont.layers.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.layers.tar.TarEntry;
import dev.dcont.layers.tar.TarReader;
import dev.dcont.testkit.Root;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running container swaps a directory of its root for a symbolic link to a tree of the host while the export
 * reads it: what the export writes of the files below (mode, owner, capabilities, size and bytes) still comes
 * from the container's files, never from the host's.
 */
class RootExportConfinedTest {
  @TempDir
  Path dir;

  /** security.capability, revision 2, effective, with the one capability {@code cap} permitted. */
  private static byte[] capability(int cap) {
    byte[] v = new byte[20];
    int[] words = {0x02000001, 1 << cap, 0, 0, 0};
    for (int i = 0; i < words.length; i++) {
      for (int b = 0; b < 4; b++) {
        v[i * 4 + b] = (byte) (words[i] >>> (8 * b));
      }
    }
    return v;
  }

  private static Path file(Path p, String text, String mode, int uid, byte[] cap) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    NativeSyscalls.get().lchown(p, uid, uid);
    NativeSyscalls.get().lsetxattr(p, "security.capability", cap);
    return p;
  }

  @Test
  void aDirectorySwappedForALinkWhileItIsExportedLeadsNowhereOutsideTheRoot() throws IOException {
    Root.require("files owned by others, with capabilities");
    Path layer = dir.resolve("layer");
    Path host = dir.resolve("host");
    file(layer.resolve("a/b/x"), "inside", "rw-r-----", 1000, capability(10));
    file(host.resolve("b/x"), "the host's secret, longer", "rwxrwxrwx", 0, capability(21));

    // the container's move, made when the export has just written a/b's header (and goes on below a/b)
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OutputStream out = new OutputStream() {
      boolean swapped;

      @Override
      public void write(int b) {
        bytes.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
        if (!swapped && len == 512 && new String(b, off, 100, StandardCharsets.US_ASCII).startsWith("a/b/\0")) {
          swapped = true;
          try {
            Files.move(layer.resolve("a"), layer.resolve("a.moved"));
            Files.createSymbolicLink(layer.resolve("a"), host);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    };
    new RootExport().write(List.of(layer), out);

    Map<String, TarEntry> entries = new HashMap<>();
    Map<String, byte[]> data = new HashMap<>();
    TarReader tar = new TarReader(new ByteArrayInputStream(bytes.toByteArray()));
    for (TarEntry e = tar.next(); e != null; e = tar.next()) {
      entries.put(e.name(), e);
      data.put(e.name(), new TarReaderBytes(tar).all());
    }
    assertTrue(entries.containsKey("a/b/x"), entries.keySet().toString());
    TarEntry x = entries.get("a/b/x");
    assertEquals(0640, x.mode(), "the container's file's mode");
    assertEquals(1000, x.uid(), "the container's file's owner");
    assertEquals("inside", new String(data.get("a/b/x"), StandardCharsets.UTF_8));
    assertArrayEquals(capability(10), x.xattrs().get("security.capability"), "the container's file's capabilities");
  }

  /** The data of the current entry. */
  private record TarReaderBytes(TarReader tar) {
    byte[] all() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      for (int n; (n = tar.read(buf, 0, buf.length)) > 0; ) {
        b.write(buf, 0, n);
      }
      return b.toByteArray();
    }
  }
}
