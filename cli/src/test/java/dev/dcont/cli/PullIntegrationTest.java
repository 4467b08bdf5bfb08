package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.layers.SnapshotStore;
import dev.dcont.store.Store;
import dev.dcont.store.model.Digest;
import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.RawTar;
import dev.dcont.testkit.RecordingProxy;
import dev.dcont.testkit.TarBuilder;
import dev.dcont.testkit.TestCgroupParent;
import dev.dcont.testkit.TestImage;
import dev.dcont.testkit.TestIndex;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dcont pull, images, inspect and rmi against a real docker-registry on loopback. */
class PullIntegrationTest {
  static LocalRegistry registry;
  /** Every container of this class runs under it: the class asserts only on cgroups under it. */
  static TestCgroupParent cgroups;
  static TestImage busybox;
  static TestImage dockerMulti;
  static TestImage zstd;
  static TestIndex index;

  @TempDir
  Path root;

  @BeforeAll
  static void setUp() throws Exception {
    cgroups = TestCgroupParent.create("pull");
    registry = LocalRegistry.start();
    busybox = TestImage.builder().layer(Busybox.rootfs().build(), Layer.Compression.GZIP, "COPY busybox /")
        .config("Cmd", List.of("sh")).build();
    registry.push("t/busybox", "1", busybox);
    dockerMulti = TestImage.builder().docker()
        .layer(new TarBuilder().file("a.txt", "a").build(), Layer.Compression.GZIP)
        .layer(new TarBuilder().file("b.txt", "b").build(), Layer.Compression.GZIP)
        .layer(new TarBuilder().file("c.txt", "c").build(), Layer.Compression.GZIP).build();
    registry.push("t/multi", "1", dockerMulti);
    zstd = TestImage.builder().layer(new TarBuilder().file("z.txt", "zstd layer").build(), Layer.Compression.ZSTD)
        .layer(new TarBuilder().file("plain.txt", "plain").build(), Layer.Compression.NONE).build();
    registry.push("t/zstd", "1", zstd);
    index = TestIndex.of(true, List.of(
        TestImage.builder().platform("linux/amd64").layer(new TarBuilder().file("arch", "amd64").build(),
            Layer.Compression.GZIP).build(),
        TestImage.builder().platform("linux/arm64/v8").layer(new TarBuilder().file("arch", "arm64").build(),
            Layer.Compression.GZIP).build()));
    registry.push("t/plat", "1", index);
  }

  @AfterAll
  static void tearDown() throws Exception {
    registry.close();
    cgroups.close();
  }

  private String ref(String repoTag) {
    return registry.host() + "/" + repoTag;
  }

  private List<Path> blobs() throws IOException {
    Path dir = root.resolve("blobs/sha256");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void pullThenImagesInspectAndRmiLeaveNothingBehind() throws Exception {
    Cli.Result pull = Cli.run(root, "pull", ref("t/busybox:1"));
    assertEquals(0, pull.code(), pull.toString());
    assertTrue(pull.out().contains("Digest: " + busybox.manifestDigest()), pull.out());
    assertTrue(pull.out().contains("Status: Downloaded newer image for " + ref("t/busybox:1")), pull.out());
    assertTrue(pull.out().contains(busybox.layers().get(0).digest().shortHex() + ": Pull complete"), pull.out());
    assertEquals(3, blobs().size(), "manifest, config and one layer");
    for (Path b : blobs()) {
      assertEquals(b.getFileName().toString(), Digest.sha256(Files.readAllBytes(b)).hex(), "blobs are verified");
    }

    Cli.Result images = Cli.run(root, "images");
    assertEquals(0, images.code());
    assertTrue(images.out().lines().anyMatch(l -> l.startsWith(ref("t/busybox")) && l.contains(" 1 ")
        && l.contains(busybox.configDigest().shortHex())), images.out());
    Cli.Result digests = Cli.run(root, "images", "--digests");
    assertTrue(digests.out().contains(busybox.manifestDigest().toString()), digests.out());

    Cli.Result inspect = Cli.run(root, "inspect", ref("t/busybox:1"));
    assertEquals(0, inspect.code(), inspect.toString());
    JsonDoc j = JsonDoc.parse(inspect.out()).get(0);
    assertEquals(busybox.configDigest().toString(), j.get("Id").asText());
    assertEquals(ref("t/busybox:1"), j.get("RepoTags").get(0).asText());
    assertEquals(ref("t/busybox") + "@" + busybox.manifestDigest(), j.get("RepoDigests").get(0).asText());
    assertEquals("amd64", j.get("Architecture").asText());
    assertEquals("sh", j.get("Config").get("Cmd").get(0).asText());
    assertEquals(busybox.layers().get(0).blob().length, j.get("Layers").get(0).get("Size").asLong());
    assertEquals(busybox.layers().get(0).diffId().toString(), j.get("RootFS").get("Layers").get(0).asText());
    assertEquals(inspect.out(), Cli.run(root, "inspect", busybox.configDigest().shortHex()).out(), "by short ID");

    Cli.Result rmi = Cli.run(root, "rmi", ref("t/busybox:1"));
    assertEquals(0, rmi.code(), rmi.toString());
    assertTrue(rmi.out().contains("Untagged: " + ref("t/busybox:1")), rmi.out());
    assertTrue(rmi.out().contains("Deleted: " + busybox.configDigest()), rmi.out());
    assertEquals(List.of(), blobs(), "rmi deletes the blobs nothing else uses");
    assertEquals(1, Cli.run(root, "images").out().lines().count(), "only the header is left");

    Cli.Result again = Cli.run(root, "pull", "-q", ref("t/busybox:1"));
    assertEquals(0, again.code(), again.toString());
    assertEquals(ref("t/busybox:1") + "\n", again.out(), "-q prints only the reference");
  }

  @Test
  void rmiKeepsBlobsAnotherImageStillUses() throws Exception {
    assertEquals(0, Cli.run(root, "pull", ref("t/busybox:1")).code());
    registry.push("t/busybox2", "1", busybox);
    assertEquals(0, Cli.run(root, "pull", ref("t/busybox2:1")).code());
    int before = blobs().size();
    Cli.Result rmi = Cli.run(root, "rmi", ref("t/busybox:1"));
    assertEquals(0, rmi.code(), rmi.toString());
    assertFalse(rmi.out().contains("Deleted"), "the image is still tagged as t/busybox2: " + rmi.out());
    assertEquals(before, blobs().size());
    Cli.Result missing = Cli.run(root, "rmi", ref("t/busybox:1"));
    assertEquals(1, missing.code());
    assertTrue(missing.err().startsWith("dcont: rmi ") && missing.err().contains("no such image"), missing.err());
  }

  @Test
  void repullOfAnImagePresentCostsOneManifestRequest() throws Exception {
    try (RecordingProxy proxy = new RecordingProxy(registry.host())) {
      registry.push("t/busybox", "1", busybox);
      String viaProxy = proxy.host() + "/t/busybox:1";
      assertEquals(0, Cli.run(root, "pull", viaProxy).code());
      proxy.clear();
      Cli.Result again = Cli.run(root, "pull", viaProxy);
      assertEquals(0, again.code(), again.toString());
      assertTrue(again.out().contains("Status: Image is up to date for " + viaProxy), again.out());
      assertEquals(1, proxy.count("GET", "/manifests/") + proxy.count("HEAD", "/manifests/"), proxy.requests().toString());
      assertEquals(0, proxy.count("GET", "/blobs/"), proxy.requests().toString());
    }
  }

  @Test
  void dockerSchema2ImageWithSeveralLayers() throws Exception {
    Cli.Result pull = Cli.run(root, "pull", ref("t/multi:1"));
    assertEquals(0, pull.code(), pull.toString());
    JsonDoc j = JsonDoc.parse(Cli.run(root, "inspect", ref("t/multi:1")).out()).get(0);
    assertEquals("application/vnd.docker.distribution.manifest.v2+json", j.get("ManifestMediaType").asText());
    assertEquals(3, j.get("Layers").size());
    for (int i = 0; i < 3; i++) {
      assertEquals(dockerMulti.layers().get(i).digest().toString(), j.get("Layers").get(i).get("Digest").asText());
    }
  }

  @Test
  void zstdAndUncompressedLayers() throws Exception {
    Cli.Result pull = Cli.run(root, "pull", ref("t/zstd:1"));
    assertEquals(0, pull.code(), pull.toString());
    JsonDoc j = JsonDoc.parse(Cli.run(root, "inspect", ref("t/zstd:1")).out()).get(0);
    assertEquals("application/vnd.oci.image.layer.v1.tar+zstd", j.get("Layers").get(0).get("MediaType").asText());
    assertEquals("application/vnd.oci.image.layer.v1.tar", j.get("Layers").get(1).get("MediaType").asText());
  }

  @Test
  void indexChoosesTheHostPlatformOrTheOneAskedFor() throws Exception {
    Cli.Result host = Cli.run(root, "pull", ref("t/plat:1"));
    assertEquals(0, host.code(), host.toString());
    assertTrue(host.out().contains("Digest: " + index.digest()), "the digest shown is the index's: " + host.out());
    JsonDoc j = JsonDoc.parse(Cli.run(root, "inspect", ref("t/plat:1")).out()).get(0);
    assertEquals("amd64", j.get("Architecture").asText());
    assertEquals(index.images().get(0).manifestDigest().toString(), j.get("ManifestDigest").asText());

    Cli.Result arm = Cli.run(root, "pull", "--platform", "linux/aarch64", ref("t/plat:1"));
    assertEquals(0, arm.code(), arm.toString());
    JsonDoc a = JsonDoc.parse(Cli.run(root, "inspect", ref("t/plat:1")).out()).get(0);
    assertEquals("arm64", a.get("Architecture").asText());
    assertEquals("v8", a.get("Variant").asText());

    Cli.Result none = Cli.run(root, "pull", "--platform", "linux/s390x", ref("t/plat:1"));
    assertEquals(1, none.code(), none.toString());
    assertEquals(1, none.err().lines().count(), none.err());
    assertTrue(none.err().contains("linux/amd64") && none.err().contains("linux/arm64/v8"), none.err());
  }

  @Test
  void dockerManifestListChoosesThePlatformToo() throws Exception {
    TestIndex list = TestIndex.of(false, List.of(
        TestImage.builder().docker().platform("linux/arm/v7").layer(new TarBuilder().file("arch", "arm").build(),
            Layer.Compression.GZIP).build(),
        TestImage.builder().docker().platform("linux/amd64").layer(new TarBuilder().file("arch", "amd64").build(),
            Layer.Compression.GZIP).build()));
    registry.push("t/list", "1", list);
    Cli.Result pull = Cli.run(root, "pull", ref("t/list:1"));
    assertEquals(0, pull.code(), pull.toString());
    JsonDoc j = JsonDoc.parse(Cli.run(root, "inspect", ref("t/list:1")).out()).get(0);
    assertEquals(list.images().get(1).manifestDigest().toString(), j.get("ManifestDigest").asText());
    assertEquals(ref("t/list") + "@" + list.digest(), j.get("RepoDigests").get(0).asText());
    Cli.Result arm = Cli.run(root, "pull", "--platform", "linux/armhf", ref("t/list:1"));
    assertEquals(0, arm.code(), arm.toString());
    JsonDoc a = JsonDoc.parse(Cli.run(root, "inspect", ref("t/list:1")).out()).get(0);
    assertEquals("arm", a.get("Architecture").asText());
    assertEquals("v7", a.get("Variant").asText());
  }

  @Test
  void errorsAreOneLineWithExitCode1() throws Exception {
    Cli.Result tag = Cli.run(root, "pull", ref("t/busybox:nope"));
    assertEquals(1, tag.code(), tag.toString());
    assertEquals(1, tag.err().lines().count(), tag.err());
    assertTrue(tag.err().startsWith("dcont: pull " + ref("t/busybox:nope") + ": "), tag.err());
    assertTrue(tag.err().contains("manifest unknown") || tag.err().contains("not found"), tag.err());

    Cli.Result repo = Cli.run(root, "pull", ref("t/nothing-here:1"));
    assertEquals(1, repo.code(), repo.toString());
    assertEquals(1, repo.err().lines().count(), repo.err());

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Cli.Result down = Cli.run(root, "pull", "127.0.0.1:" + closed + "/x:1");
    assertEquals(1, down.code(), down.toString());
    assertEquals(1, down.err().lines().count(), down.err());
    assertTrue(down.err().contains("127.0.0.1:" + closed), down.err());

    Cli.Result bad = Cli.run(root, "pull", "UPPER/Case");
    assertTrue(bad.code() != 0, bad.toString());
    assertEquals(1, bad.err().lines().count(), bad.err());
    assertTrue(bad.err().contains("lowercase"), bad.err());

    Cli.Result evil = Cli.run(root, "pull", ref("t/busybox@sha256:../../etc/passwd"));
    assertTrue(evil.code() != 0, evil.toString());
    assertTrue(evil.err().contains("invalid"), evil.err());
    assertTrue(!Files.exists(root.resolve("blobs")) || blobs().isEmpty());
  }

  @Test
  void corruptBlobInTheRegistryIsRefusedAndNothingIsRecorded() throws Exception {
    byte[] tar = new TarBuilder().file("data.bin", new byte[200_000], 0644).build();
    TestImage img = TestImage.builder().layer(tar, Layer.Compression.GZIP).build();
    registry.push("t/corrupt", "1", img);
    Digest layer = img.layers().get(0).digest();
    Path data = registry.dataDir().resolve("docker/registry/v2/blobs/sha256/" + layer.hex().substring(0, 2) + "/"
        + layer.hex() + "/data");
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(data, bytes);

    Cli.Result pull = Cli.run(root, "pull", ref("t/corrupt:1"));
    assertEquals(1, pull.code(), pull.toString());
    assertTrue(pull.err().contains(layer.toString()) || pull.err().contains("digest"), pull.err());
    assertFalse(Files.exists(root.resolve("blobs/sha256/" + layer.hex())), "a bad blob is never committed");
    assertEquals(1, Cli.run(root, "images").out().lines().count(), "no image recorded");
  }

  /** No snapshot directory, temporary directory, link or row in the store at {@code root}. */
  private static void assertNoSnapshot(Path root) throws IOException {
    for (String d : List.of("snapshots", "l")) {
      if (Files.isDirectory(root.resolve(d))) {
        try (Stream<Path> s = Files.list(root.resolve(d))) {
          assertEquals(List.of(), s.toList(), d);
        }
      }
    }
    try (Store store = Store.open(root)) {
      assertEquals(java.util.Map.of(), SnapshotStore.of(store).committed(), "no snapshot row");
    }
  }

  /**
   * Nothing of {@code img} in the store at {@code root}: no image listed or counted, none of its blobs, no
   * snapshot, no partial download, and the store checks clean.
   */
  private static void assertNothingOf(Path root, TestImage img) throws IOException {
    assertEquals("", Cli.run(root, "images", "-q").out(), "no image listed");
    JsonDoc df = JsonDoc.parse(Cli.run(root, "system", "df", "--format", "json").out());
    JsonDoc images = null;
    for (JsonDoc row : df.get("Summary")) {
      if (row.get("Type").asText().equals("Images")) {
        images = row;
      }
    }
    assertEquals(0, images.get("TotalCount").asInt(), df.toString());
    List<Digest> blobs = new java.util.ArrayList<>(List.of(img.manifestDigest(), img.configDigest()));
    img.layers().forEach(l -> blobs.add(l.digest()));
    for (Digest d : blobs) {
      assertFalse(Files.exists(root.resolve("blobs/sha256/" + d.hex())), "blob " + d);
      assertFalse(Files.exists(root.resolve("ingest/" + d.hex() + ".partial")), "partial " + d);
    }
    assertNoSnapshot(root);
    Cli.Result check = Cli.run(root, "system", "check");
    assertEquals(0, check.code(), check.toString());
  }

  @Test
  void hostileTarHeaderIsRefusedInOneLineAndLeavesNoSnapshot() throws Exception {
    byte[] hostile = new RawTar().pax('x', java.util.Map.of("size", "-5")).header("evil", '0', 0)
        .file("next", "n".getBytes(java.nio.charset.StandardCharsets.UTF_8)).build();
    TestImage img = TestImage.builder().layer(new TarBuilder().file("ok", "fine").build(), Layer.Compression.GZIP)
        .layer(hostile, Layer.Compression.GZIP).build();
    registry.push("t/negative-size", "1", img);
    String line = "dcont: layer " + img.layers().get(1).digest() + ": entry 'evil' has PAX record size='-5', not a "
        + "number from 0 to 9223372036854775807 (the layer is refused; nothing outside the store was touched)\n";

    Path store = root.resolve("pull");
    Cli.Result pull = Cli.run(store, "pull", ref("t/negative-size:1"));
    assertEquals(1, pull.code(), pull.toString());
    assertEquals(line, pull.err());
    assertNothingOf(store, img);

    Path fresh = root.resolve("run");
    Cli.Result run = Cli.run(fresh, Cli.inParent(cgroups, "run", "--rm", ref("t/negative-size:1"), "true"));
    assertEquals(125, run.code(), run.toString());
    assertTrue(run.err().endsWith(line), run.err());
    assertNothingOf(fresh, img);

    // downloaded without unpacking, the image is refused at its first run and goes then
    Path later = root.resolve("later");
    assertEquals(0, Cli.run(later, "pull", "--no-unpack", ref("t/negative-size:1")).code());
    assertEquals(img.configDigest().shortHex() + "\n", Cli.run(later, "images", "-q").out());
    Cli.Result runLater = Cli.run(later, Cli.inParent(cgroups, "run", "--rm", ref("t/negative-size:1"), "true"));
    assertEquals(125, runLater.code(), runLater.toString());
    assertEquals(line, runLater.err());
    assertNothingOf(later, img);
  }

  @Test
  void refusedPullOfANewVersionLeavesTheTagOnTheImageItNamedBefore() throws Exception {
    byte[] base = Busybox.rootfs().build();
    TestImage good = TestImage.builder().layer(base, Layer.Compression.GZIP)
        .layer(new TarBuilder().file("version", "good").build(), Layer.Compression.GZIP).build();
    byte[] hostile = new RawTar().pax('x', java.util.Map.of("size", "-5")).header("evil", '0', 0).build();
    TestImage bad = TestImage.builder().layer(base, Layer.Compression.GZIP).layer(hostile, Layer.Compression.GZIP)
        .build();
    assertEquals(good.layers().get(0).digest(), bad.layers().get(0).digest(), "the base layer is shared");
    registry.push("t/app", "1", good);
    assertEquals(0, Cli.run(root, "pull", ref("t/app:1")).code());
    registry.push("t/app", "1", bad);

    Cli.Result pull = Cli.run(root, "pull", ref("t/app:1"));
    assertEquals(1, pull.code(), pull.toString());
    assertTrue(pull.err().startsWith("dcont: layer " + bad.layers().get(1).digest() + ": entry 'evil' has PAX "
        + "record size='-5'"), pull.err());
    assertEquals(good.configDigest().shortHex() + "\n", Cli.run(root, "images", "-q").out(), "only the good image");
    Cli.Result inspect = Cli.run(root, "inspect", ref("t/app:1"));
    assertEquals(0, inspect.code(), "the tag is kept: " + inspect);
    JsonDoc j = JsonDoc.parse(inspect.out()).get(0);
    assertEquals(good.configDigest().toString(), j.get("Id").asText(), "the tag names the good image");
    assertEquals(List.of(ref("t/app") + "@" + good.manifestDigest()),
        List.of(j.get("RepoDigests").get(0).asText()), j.toString());
    for (Digest d : List.of(good.manifestDigest(), good.configDigest(), good.layers().get(0).digest(),
        good.layers().get(1).digest())) {
      assertTrue(Files.exists(root.resolve("blobs/sha256/" + d.hex())), "kept: blob " + d);
    }
    for (Digest d : List.of(bad.manifestDigest(), bad.configDigest(), bad.layers().get(1).digest())) {
      assertFalse(Files.exists(root.resolve("blobs/sha256/" + d.hex())), "removed: blob " + d);
    }
    try (Store store = Store.open(root)) {
      assertEquals(java.util.Set.copyOf(dev.dcont.store.model.ChainId.of(List.of(good.layers().get(0).diffId(),
          good.layers().get(1).diffId()))), SnapshotStore.of(store).committed().keySet(),
          "the good image's snapshots, and only those");
    }
    Cli.Result check = Cli.run(root, "system", "check");
    assertEquals(0, check.code(), check.toString());
    assertFalse(check.out().contains("note:"), "no garbage left: " + check.out());

    dev.dcont.testkit.Root.require("the kept image is run");
    Path log = root.resolve("run.log");
    Process p = Cli.start(root, log, Cli.inParent(cgroups, "run", "--rm", "--pull", "never", ref("t/app:1"), "cat", "/version"));
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "run ended");
    assertEquals(0, p.exitValue(), Files.readString(log));
    assertEquals("good", Files.readString(log));
  }

  @Test
  void imageOverTheImageByteLimitSetInTheEnvironmentIsRefusedAndLeavesNoSnapshot() throws Exception {
    // each layer is far under the per-layer limit; both together are over the 1 MiB the environment sets
    TestImage img = TestImage.builder()
        .layer(new TarBuilder().file("a.bin", randomFile(700_000, 7), 0644).build(), Layer.Compression.GZIP)
        .layer(new TarBuilder().file("b.bin", randomFile(700_000, 8), 0644).build(), Layer.Compression.GZIP).build();
    registry.push("t/too-big", "1", img);
    Path log = root.resolve("pull.log");
    Process p = Cli.start(root.resolve("store"), log, java.util.Map.of("DCONT_MAX_IMAGE_BYTES", "1048576"), "pull",
        ref("t/too-big:1"));
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "pull ended");
    String out = Files.readString(log);
    assertEquals(1, p.exitValue(), out);
    List<String> errors = out.lines().filter(l -> l.startsWith("dcont: ")).toList();
    assertEquals(1, errors.size(), out);
    assertTrue(errors.get(0).matches("dcont: layer sha256:[0-9a-f]{64}: (after [0-9]+ entries|entry '[ab].bin'): the "
        + "image's layers together are over the limit of 1048576 uncompressed bytes \\(a decompression bomb\\? "
        + "raise DCONT_MAX_IMAGE_BYTES if the image is genuine\\) \\(the layer is refused\\)"), out);
    assertNothingOf(root.resolve("store"), img);
  }

  static byte[] randomFile(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void killMinus9MidPullThenRepullResumesTheCutBlob() throws Exception {
    byte[] tar = new TarBuilder().file("big.bin", randomFile(12_000_000, 1), 0644).build();
    TestImage img = TestImage.builder().layer(tar, Layer.Compression.GZIP).build();
    registry.push("t/big", "1", img);
    Digest layer = img.layers().get(0).digest();
    Path partial = root.resolve("ingest/" + layer.hex() + ".partial");
    try (RecordingProxy proxy = new RecordingProxy(registry.host())) {
      proxy.throttle(2_000_000);
      Process p = Cli.start(root, root.resolveSibling(root.getFileName() + ".log"), "pull", proxy.host() + "/t/big:1");
      Poll.until("the download to get going (3 MB in " + partial + ")", Duration.ofSeconds(30),
          () -> Files.exists(partial) && Files.size(partial) > 3_000_000);
      p.destroyForcibly().waitFor();
      long cutAt = Files.size(partial);
      assertFalse(Files.exists(root.resolve("blobs/sha256/" + layer.hex())));
      assertEquals(1, Cli.run(root, "images").out().lines().count(), "a killed pull records no image");

      proxy.throttle(0);
      proxy.clear();
      Cli.Result again = Cli.run(root, "pull", proxy.host() + "/t/big:1");
      assertEquals(0, again.code(), again.toString());
      assertTrue(Files.exists(root.resolve("blobs/sha256/" + layer.hex())));
      List<RecordingProxy.Request> blobGets = proxy.requests().stream()
          .filter(r -> r.method().equals("GET") && r.path().contains(layer.hex())).toList();
      assertEquals(1, blobGets.size(), blobGets.toString());
      String range = blobGets.get(0).range();
      assertTrue(range != null && range.startsWith("bytes=") && Long.parseLong(range.substring(6, range.indexOf('-')))
          >= cutAt - 1_000_000 && !range.startsWith("bytes=0-"), "resumed from the partial file: " + range);
      assertFalse(Files.exists(partial));
    }
  }

  @Test
  void twoConcurrentPullsOfOverlappingImagesDownloadTheSharedLayerOnce() throws Exception {
    byte[] base = new TarBuilder().file("base.bin", randomFile(6_000_000, 2), 0644).build();
    TestImage one = TestImage.builder().layer(base, Layer.Compression.GZIP)
        .layer(new TarBuilder().file("one", "1").build(), Layer.Compression.GZIP).build();
    TestImage two = TestImage.builder().layer(base, Layer.Compression.GZIP)
        .layer(new TarBuilder().file("two", "2").build(), Layer.Compression.GZIP).build();
    registry.push("t/one", "1", one);
    registry.push("t/two", "1", two);
    Digest shared = one.layers().get(0).digest();
    try (RecordingProxy proxy = new RecordingProxy(registry.host())) {
      proxy.throttle(3_000_000);
      Path log1 = root.resolveSibling(root.getFileName() + "-1.log");
      Path log2 = root.resolveSibling(root.getFileName() + "-2.log");
      Process p1 = Cli.start(root, log1, "pull", proxy.host() + "/t/one:1");
      Process p2 = Cli.start(root, log2, "pull", proxy.host() + "/t/two:1");
      assertEquals(0, p1.waitFor(), Files.readString(log1));
      assertEquals(0, p2.waitFor(), Files.readString(log2));
      long sharedGets = proxy.requests().stream()
          .filter(r -> r.method().equals("GET") && r.path().contains(shared.hex())).count();
      assertEquals(1, sharedGets, "one downloader per blob: " + proxy.requests());
      Cli.Result images = Cli.run(root, "images");
      assertTrue(images.out().contains("/t/one") && images.out().contains("/t/two"), images.out());
      assertEquals(0, Cli.run(root, "rmi", proxy.host() + "/t/one:1").code());
      assertTrue(Files.exists(root.resolve("blobs/sha256/" + shared.hex())), "still used by t/two");
    }
  }
}
