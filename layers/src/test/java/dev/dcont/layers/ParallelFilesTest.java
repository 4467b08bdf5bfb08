package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.layers.sys.Syscalls;
import dev.dcont.layers.tar.TarReader;
import dev.dcont.testkit.Poll;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files written by worker threads give the same tree as writing them one after another. */
class ParallelFilesTest {
  private static final String LAYER = "sha256:" + "cd".repeat(32);
  @TempDir
  Path base;

  @Test
  void aBufferIsHandedOutAgainOnlyOnceItsFileIsWritten() throws Exception {
    try (ParallelFiles pf = new ParallelFiles(1, "buffers")) {
      assertEquals(4096, pf.buffer(0).length, "the smallest buffer");
      assertEquals(8192, pf.buffer(5000).length, "sizes round up to a power of two");
      assertEquals(ParallelFiles.MAX_FILE, pf.buffer(ParallelFiles.MAX_FILE).length);
      assertThrows(IllegalArgumentException.class, () -> pf.buffer(ParallelFiles.MAX_FILE + 1));

      byte[] first = pf.buffer(5000);
      java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
      pf.submit(first, 5000, () -> {
        try {
          writing.await();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      });
      assertNotSame(first, pf.buffer(6000), "not while its file is pending");
      writing.countDown();
      pf.drain();
      assertSame(first, pf.buffer(7000), "once written, for a file of the same size class");
      assertNotSame(first, pf.buffer(7000), "and once only");
    }
  }

  /** A layer that renames, replaces and links files right after writing them, in many directories. */
  private static byte[] busyLayer() {
    Random r = new Random(42);
    TestLayers.Tar t = new TestLayers.Tar();
    for (int d = 0; d < 40; d++) {
      t.dir("d" + d, 0755);
      for (int f = 0; f < 60; f++) {
        byte[] data = new byte[r.nextInt(f % 10 == 0 ? 300_000 : 3000)];
        r.nextBytes(data);
        String name = "d" + d + "/f" + f;
        int mode = f % 7 == 0 ? 04755 : 0640;
        long mtime = 1_000_000_000_000L + d * 1000L + f;
        t.file(name, data, mode, e -> e.setModTime(mtime));
        if (f % 5 == 1) {
          t.file(name, ("replaced " + name).getBytes(StandardCharsets.UTF_8), 0600, e -> { }); // same name again
        }
        if (f % 5 == 2) {
          t.hardlink("d" + d + "/h" + f, name); // link to a file just queued
        }
        if (f % 5 == 3) {
          t.file("d" + d + "/.wh.f" + (f - 1), new byte[0], 0644, e -> { }); // whiteout of a file just queued
        }
      }
      if (d % 10 == 9) {
        t.file("d" + (d - 1), "a file now".getBytes(StandardCharsets.UTF_8), 0644, e -> { }); // replaces a dir
      }
    }
    t.file("big", new byte[ParallelFiles.MAX_FILE + 1], 0644, e -> { });
    return t.bytes();
  }

  /** Every path with its type, mode, owner, size, link count, mtime and content hash. */
  private static TreeMap<String, String> describe(Path root) throws Exception {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        if (p.equals(root)) {
          continue; // the snapshot root keeps its own metadata
        }
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        // whiteouts, as a non-root process makes them (empty files), have no time of their own
        boolean whiteout = a.isRegularFile() && a.size() == 0;
        String what = (a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : a.isRegularFile() ? "f" : "o")
            + " " + Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)
            + " " + Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS)
            + " " + a.size() + (whiteout ? "" : " " + a.lastModifiedTime().toMillis());
        if (a.isRegularFile()) {
          what += " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        }
        out.put(root.relativize(p).toString(), what);
      }
    }
    return out;
  }

  private Path apply(byte[] tar, int workers, Syscalls sys, String dir) throws IOException {
    Path fs = Files.createDirectories(base.resolve(dir));
    new LayerApplier(sys, UnpackLimits.DEFAULT, LAYER, fs, workers).apply(new TarReader(new ByteArrayInputStream(tar)));
    return fs;
  }

  @Test
  void workersGiveTheSameTreeAsOneThread() throws Exception {
    Syscalls sys = new LayerApplierTest.RecordingSyscalls(); // what a non-root process can do, recorded
    byte[] tar = busyLayer();
    TreeMap<String, String> one = describe(apply(tar, 0, sys, "one"));
    for (int workers : new int[] {1, 4}) {
      TreeMap<String, String> many = describe(apply(tar, workers, sys, "many-" + workers));
      TreeMap<String, String> diff = new TreeMap<>();
      for (String k : one.keySet()) {
        if (!one.get(k).equals(many.get(k))) {
          diff.put(k, one.get(k) + " <> " + many.get(k));
        }
      }
      for (String k : many.keySet()) {
        if (!one.containsKey(k)) {
          diff.put(k, "only with workers: " + many.get(k));
        }
      }
      assertEquals(new TreeMap<String, String>(), diff, workers + " workers");
      assertEquals(one.size(), many.size());
    }
    assertTrue(one.containsKey("d0/h2"), "the layer was applied: " + one.keySet().size());
    assertTrue(one.get("d0/f2").startsWith("f 33188 1 0 "), "the whiteout replaced the file queued just before it: "
        + one.get("d0/f2"));
    assertTrue(one.get("d8").startsWith("f "), "a file replaced the directory");
  }

  @Test
  void aWorkersFailureFailsTheLayerAndNoWorkerOutlivesIt() throws Exception {
    List<Path> touched = java.util.Collections.synchronizedList(new ArrayList<>());
    Syscalls failing = new LayerApplierTest.RecordingSyscalls() {
      @Override
      public void chmod(Path path, int mode) throws IOException {
        touched.add(path);
        if (path.getFileName().toString().equals("f17")) {
          throw new IOException("chmod " + path + ": injected failure");
        }
        super.chmod(path, mode);
      }
    };
    Path fs = Files.createDirectories(base.resolve("failing"));
    IOException e = assertThrows(IOException.class, () -> new LayerApplier(failing, UnpackLimits.DEFAULT, LAYER, fs, 4)
        .apply(new TarReader(new ByteArrayInputStream(busyLayer()))));
    assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
    int after = touched.size();
    // once the layer's own workers are gone, nothing can touch a file any more
    Poll.until("the layer's workers to end", Duration.ofSeconds(10), () -> Thread.getAllStackTraces().keySet()
        .stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("unpack-files " + LAYER)));
    assertEquals(after, touched.size(), "a worker went on after the layer failed");
  }

  @Test
  void realFilesKeepModesAndTimesWhenWrittenByWorkers() throws Exception {
    byte[] tar = new TestLayers.Tar().dir("x", 0700)
        .file("x/suid", "s".getBytes(StandardCharsets.UTF_8), 04755, e -> e.setModTime(1_234_000_000_000L))
        .bytes();
    Path fs = apply(tar, 4, NativeSyscalls.get(), "real");
    assertEquals(0104755, Files.getAttribute(fs.resolve("x/suid"), "unix:mode"));
    assertEquals(1_234_000_000_000L, Files.getLastModifiedTime(fs.resolve("x/suid")).toMillis());
    assertEquals(040700, Files.getAttribute(fs.resolve("x"), "unix:mode"));
  }
}
