package dev.dcont.layers.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link TarWriter} writes, {@link TarReader} and GNU tar read back as it was. */
class TarWriterTest {
  static final String LONG = "d/" + "a".repeat(120) + "/" + "b".repeat(90) + "/file-with-a-long-name";
  static final byte[] CAPABILITY = {1, 0, 0, 2, (byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

  static byte[] archive() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter w = new TarWriter(out);
    w.put(new TarEntry("d", TarEntry.Type.DIRECTORY, null, 0755, 0, 0, 0, 1_700_000_000_000_000_000L, 0, 0, 0,
        Map.of()));
    byte[] data = "hello\n".getBytes(StandardCharsets.UTF_8);
    w.put(new TarEntry(LONG, TarEntry.Type.FILE, null, 04755, 100_000_000, 7, data.length, 0, 0, 0, 0,
        Map.of("security.capability", CAPABILITY)));
    w.write(data, 0, data.length);
    w.put(new TarEntry("d/link", TarEntry.Type.SYMLINK, "../" + "t".repeat(150), 0777, 0, 0, 0, 0, 0, 0, 0, Map.of()));
    w.put(new TarEntry("d/hard", TarEntry.Type.HARDLINK, LONG, 0644, 0, 0, 0, 0, 0, 0, 0, Map.of()));
    w.put(new TarEntry("d/null", TarEntry.Type.CHAR_DEVICE, null, 0666, 0, 0, 0, 0, 0, 1, 3, Map.of()));
    w.put(new TarEntry("d/é", TarEntry.Type.FILE, null, 0600, 0, 0, 0, 0, 0, 0, 0, Map.of()));
    w.finish();
    return out.toByteArray();
  }

  @Test
  void longNamesAndLinksBigIdsBinaryXattrsAndDevicesReadBackAsWritten() throws Exception {
    TarReader r = new TarReader(new ByteArrayInputStream(archive()));
    TarEntry dir = r.next();
    assertTrue(dir.isDirectory());
    assertEquals("d/", dir.name());
    assertEquals(1_700_000_000_000_000_000L, dir.mtimeNanos());
    TarEntry file = r.next();
    assertEquals(LONG, file.name());
    assertEquals(04755, file.mode());
    assertEquals(100_000_000, file.uid());
    assertArrayEquals(CAPABILITY, file.xattrs().get("security.capability"));
    byte[] buf = new byte[16];
    assertEquals(6, r.read(buf, 0, buf.length));
    assertEquals("hello\n", new String(buf, 0, 6, StandardCharsets.UTF_8));
    TarEntry link = r.next();
    assertEquals(TarEntry.Type.SYMLINK, link.type());
    assertEquals("../" + "t".repeat(150), link.linkName());
    TarEntry hard = r.next();
    assertEquals(TarEntry.Type.HARDLINK, hard.type());
    assertEquals(LONG, hard.linkName());
    TarEntry dev = r.next();
    assertEquals(TarEntry.Type.CHAR_DEVICE, dev.type());
    assertEquals(1, dev.devMajor());
    assertEquals(3, dev.devMinor());
    assertEquals("d/é", r.next().name());
    assertNull(r.next());
  }

  @Test
  void gnuTarListsWhatItWrote(@TempDir Path dir) throws Exception {
    Path tar = Files.write(dir.resolve("t.tar"), archive());
    Process p = new ProcessBuilder("tar", "-tf", tar.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertEquals(List.of("d/", LONG, "d/link", "d/hard", "d/null", "d/é"), out.lines().toList());
  }
}
