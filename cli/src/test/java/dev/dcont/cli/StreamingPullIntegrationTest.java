package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dcont.store.model.Digest;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.PlainHttpFront;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.RecordingProxy;
import dev.dcont.testkit.TarBuilder;
import dev.dcont.testkit.TestImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcont pull} unpacks layers while they download: the snapshots equal those unpacked from the
 * committed blobs, a blob with the wrong digest leaves neither blob nor snapshot (even when its content
 * unpacks to the right diff_id), and cut downloads still end with correct snapshots.
 */
class StreamingPullIntegrationTest {
  static LocalRegistry registry;

  @TempDir
  Path tmp;

  @BeforeAll
  static void setUp() throws Exception {
    registry = LocalRegistry.start();
  }

  @AfterAll
  static void tearDown() {
    registry.close();
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static TestImage threeLayers(long seed) {
    return TestImage.builder()
        .layer(new TarBuilder().file("bin/big", random(5_000_000, seed), 0755).file("etc/a", "a").build(),
            Layer.Compression.GZIP)
        .layer(new TarBuilder().file("usr/data", random(3_000_000, seed + 1), 0644).build(), Layer.Compression.GZIP)
        .layer(new TarBuilder().file("etc/b", "b").build(), Layer.Compression.ZSTD).build();
  }

  private List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void streamedSnapshotsEqualThoseUnpackedFromTheBlobs() throws Exception {
    TestImage img = threeLayers(21);
    registry.push("s/three", "1", img);
    String ref = registry.host() + "/s/three:1";
    Path streamed = tmp.resolve("streamed");
    Cli.Result pull = Cli.run(streamed, "pull", ref);
    assertEquals(0, pull.code(), pull.toString());
    assertFalse(pull.out().contains("Extracting"), "every layer was unpacked while it downloaded:\n" + pull.out());
    assertEquals(3, pull.out().lines().filter(l -> l.endsWith("Pull complete")).count(), pull.out());

    Path fromBlobs = tmp.resolve("from-blobs");
    assertEquals(0, Cli.run(fromBlobs, "pull", "--no-unpack", ref).code());
    assertEquals(0, Cli.run(fromBlobs, "layers", "--unpack", ref).code());
    // streamed snapshots are numbered in the order their downloads end: compare the trees, not the ids
    assertEquals(trees(fromBlobs), trees(streamed));
    assertEquals(Cli.run(fromBlobs, "layers", ref, "--format", "json").out(),
        Cli.run(streamed, "layers", ref, "--format", "json").out());
    assertEquals(List.of(), list(streamed.resolve("ingest")).stream()
        .filter(p -> p.toString().endsWith(".partial")).toList());
  }

  @Test
  void blobWithTheWrongDigestLeavesNoSnapshotEvenThoughItUnpacksCleanly() throws Exception {
    byte[] tar = new TarBuilder().file("data.bin", random(2_000_000, 5), 0644).build();
    TestImage img = TestImage.builder().layer(tar, Layer.Compression.GZIP).build();
    registry.push("s/corrupt", "1", img);
    Digest layer = img.layers().get(0).digest();
    Path data = registry.dataDir().resolve("docker/registry/v2/blobs/sha256/" + layer.hex().substring(0, 2) + "/"
        + layer.hex() + "/data");
    byte[] bytes = Files.readAllBytes(data);
    bytes[4] ^= 0x5a; // the gzip header's mtime: same content, same diff_id, another digest
    Files.write(data, bytes);
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      assertArrayEquals(tar, in.readAllBytes(), "the served blob still unpacks to the layer's diff_id");
    }

    Path root = tmp.resolve("root");
    Cli.Result pull = Cli.run(root, "pull", registry.host() + "/s/corrupt:1");
    assertEquals(1, pull.code(), pull.toString());
    assertTrue(pull.err().contains(layer.toString()) && pull.err().contains("digest"), pull.err());
    assertFalse(Files.exists(root.resolve("blobs/sha256/" + layer.hex())), "a bad blob is never committed");
    assertEquals(List.of(), list(root.resolve("snapshots")), "no snapshot, no temporary directory");
    assertEquals(List.of(), list(root.resolve("l")));
    assertEquals(1, Cli.run(root, "images").out().lines().count(), "no image recorded");
    Cli.Result check = Cli.run(root, "system", "check");
    assertEquals(0, check.code(), check.toString());
  }

  @Test
  void downloadCutMidLayerResumesAndStillStreamsACorrectSnapshot() throws Exception {
    TestImage img = threeLayers(31);
    registry.push("s/cut", "1", img);
    Digest big = img.layers().get(0).digest();
    Path ref = tmp.resolve("ref");
    assertEquals(0, Cli.run(ref, "pull", "--no-unpack", registry.host() + "/s/cut:1").code());
    assertEquals(0, Cli.run(ref, "layers", "--unpack", registry.host() + "/s/cut:1").code());

    try (CuttingProxy proxy = new CuttingProxy(registry.host(), big.hex(), 1_500_000)) {
      Path root = tmp.resolve("root");
      Cli.Result pull = Cli.run(root, "pull", proxy.host() + "/s/cut:1");
      assertEquals(0, pull.code(), pull.toString());
      assertTrue(proxy.cut.get(), "the first answer for the big layer was cut");
      assertTrue(proxy.ranges.stream().anyMatch(r -> r.startsWith("bytes=1500000-")), proxy.ranges.toString());
      assertFalse(pull.out().contains("Extracting"), "the resumed layer kept streaming:\n" + pull.out());
      assertEquals(trees(ref), trees(root));
    }
  }

  @Test
  void pullKilledMidLayerThenResumedFromThePartialFileUnpacksFromTheBlob() throws Exception {
    TestImage img = TestImage.builder()
        .layer(new TarBuilder().file("big.bin", random(12_000_000, 41), 0644).build(), Layer.Compression.GZIP).build();
    registry.push("s/killed", "1", img);
    Digest layer = img.layers().get(0).digest();
    Path root = tmp.resolve("root");
    Path partial = root.resolve("ingest/" + layer.hex() + ".partial");
    try (RecordingProxy proxy = new RecordingProxy(registry.host())) {
      proxy.throttle(2_000_000);
      Process p = Cli.start(root, tmp.resolve("killed.log"), "pull", proxy.host() + "/s/killed:1");
      Poll.until("the download to get going (3 MB in " + partial + ")", Duration.ofSeconds(30),
          () -> Files.exists(partial) && Files.size(partial) > 3_000_000);
      p.destroyForcibly().waitFor();
      assertTrue(SnapshotRows.none(root), "a killed pull recorded no snapshot");

      proxy.throttle(0);
      proxy.clear();
      Cli.Result again = Cli.run(root, "pull", proxy.host() + "/s/killed:1");
      assertEquals(0, again.code(), again.toString());
      assertTrue(again.out().contains("Extracting"), "resumed from a partial file: unpacked from the blob\n"
          + again.out());
      String range = proxy.requests().stream().filter(r -> r.method().equals("GET") && r.path().contains(layer.hex()))
          .findFirst().orElseThrow().range();
      assertTrue(range != null && !range.startsWith("bytes=0-"), "resumed: " + range);
      assertArrayEquals(random(12_000_000, 41), Files.readAllBytes(root.resolve("snapshots/1/fs/big.bin")));
      // the killed process's temporary snapshot directory is garbage for prune, never a snapshot
      List<Path> dirs = list(root.resolve("snapshots"));
      assertTrue(dirs.stream().allMatch(d -> d.getFileName().toString().equals("1")
          || d.getFileName().toString().startsWith("tmp-")), dirs.toString());
    }
  }

  /** Reads the snapshots table through the CLI's JSON output. */
  static final class SnapshotRows {
    static boolean none(Path root) throws IOException {
      Path snapshots = root.resolve("snapshots");
      if (!Files.isDirectory(snapshots)) {
        return true;
      }
      try (Stream<Path> s = Files.list(snapshots)) {
        return s.allMatch(p -> p.getFileName().toString().startsWith("tmp-"));
      }
    }
  }

  /** The trees of every snapshot of a store, sorted. */
  static List<String> trees(Path store) throws IOException {
    List<String> out = new java.util.ArrayList<>();
    try (Stream<Path> s = Files.list(store.resolve("snapshots"))) {
      for (Path d : s.toList()) {
        out.add(tree(d.resolve("fs")).toString());
      }
    }
    java.util.Collections.sort(out);
    assertEquals(3, out.size());
    return out;
  }

  /** Every entry below {@code root}: type, mode, owner, size, mtime, link target and content digest. */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime",
            LinkOption.NOFOLLOW_LINKS);
        StringBuilder d = new StringBuilder(Integer.toOctalString((Integer) a.get("mode"))).append(' ')
            .append(a.get("uid")).append(':').append(a.get("gid"));
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          d.append(" size=").append(a.get("size")).append(" mtime=").append(a.get("lastModifiedTime"));
        }
        if (Files.isSymbolicLink(p)) {
          d.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          d.append(' ').append(Digest.sha256(Files.readAllBytes(p)));
        }
        out.put(root.relativize(p).toString(), d.toString());
      }
    }
    assertFalse(out.isEmpty(), root + " exists");
    return out;
  }

  /**
   * Forwards to the registry; the first GET of one blob (no Range) promises the whole blob but breaks the
   * connection after {@code cutAt} bytes, so the client resumes with a Range request.
   */
  static final class CuttingProxy implements AutoCloseable {
    final HttpServer server;
    /** dcont tries HTTPS first on loopback: the front answers the TLS hello at once, as Go's registry does. */
    final PlainHttpFront front;
    final String upstream;
    final String blobHex;
    final int cutAt;
    final AtomicBoolean cut = new AtomicBoolean();
    final List<String> ranges = new CopyOnWriteArrayList<>();

    CuttingProxy(String upstreamHostPort, String blobHex, int cutAt) throws IOException {
      this.upstream = "http://" + upstreamHostPort;
      this.blobHex = blobHex;
      this.cutAt = cutAt;
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
      server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cutting-proxy");
        t.setDaemon(true);
        return t;
      }));
      server.createContext("/", this::handle);
      server.start();
      front = new PlainHttpFront(server.getAddress());
    }

    String host() {
      return "127.0.0.1:" + front.port();
    }

    private void handle(HttpExchange ex) throws IOException {
      String path = ex.getRequestURI().toString();
      String range = ex.getRequestHeaders().getFirst("Range");
      HttpURLConnection c = (HttpURLConnection) URI.create(upstream + path).toURL().openConnection();
      c.setInstanceFollowRedirects(true);
      c.setRequestMethod(ex.getRequestMethod());
      for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
        String k = h.getKey();
        if (!k.equalsIgnoreCase("Host") && !k.equalsIgnoreCase("Connection") && !k.equalsIgnoreCase("Content-Length")) {
          h.getValue().forEach(v -> c.addRequestProperty(k, v));
        }
      }
      int status = c.getResponseCode();
      boolean blob = path.contains("/blobs/") && path.contains(blobHex);
      if (blob) {
        ranges.add(range == null ? "" : range);
      }
      for (Map.Entry<String, List<String>> h : c.getHeaderFields().entrySet()) {
        String k = h.getKey();
        if (k != null && !k.equalsIgnoreCase("Transfer-Encoding") && !k.equalsIgnoreCase("Content-Length")
            && !k.equalsIgnoreCase("Connection")) {
          ex.getResponseHeaders().put(k, h.getValue());
        }
      }
      long len = c.getContentLengthLong();
      if (ex.getRequestMethod().equals("HEAD")) {
        if (len >= 0) {
          ex.getResponseHeaders().set("Content-Length", Long.toString(len));
        }
        ex.sendResponseHeaders(status, -1);
        ex.close();
        return;
      }
      ex.sendResponseHeaders(status, len < 0 ? 0 : len == 0 ? -1 : len);
      boolean cutThis = blob && range == null && status == 200 && cut.compareAndSet(false, true);
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        OutputStream out = ex.getResponseBody();
        if (in != null) {
          if (cutThis) {
            out.write(in.readNBytes(cutAt));
            out.flush();
            out.close(); // fewer bytes than Content-Length: the server drops the connection
            return;
          }
          in.transferTo(out);
        }
        out.close();
      } catch (IOException e) {
        // the client went away, or the deliberate cut
      } finally {
        ex.close();
      }
    }

    @Override
    public void close() {
      front.close();
      server.stop(0);
    }
  }
}
