package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.model.Digest;
import dev.dcont.testkit.RawTar;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TarBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Archives made to hurt: each is refused by {@code dcont load} with one line and exit 1, and the store is as it
 * was before (its blobs, snapshots, partial files and images), next to an image it already held.
 */
class HostileArchiveTest {
  static byte[] layer;
  static Digest diffId;
  static byte[] config;
  static Digest configDigest;

  @TempDir
  Path dir;

  @BeforeAll
  static void fixtures() throws IOException {
    Root.require("load unpacks layers with their owners, as a pull does");
    layer = new TarBuilder().dir("etc").file("etc/hello", "hi\n").build();
    diffId = Digest.sha256(layer);
    config = config(diffId);
    configDigest = Digest.sha256(config);
  }

  static byte[] config(Digest diff) {
    return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diff + "\"]}}").getBytes(StandardCharsets.UTF_8);
  }

  static byte[] manifestJson(String configPath, String layerPath) {
    return manifestJson(configPath, layerPath, "hostile/x:1");
  }

  static byte[] manifestJson(String configPath, String layerPath, String tag) {
    return ("[{\"Config\":\"" + configPath + "\",\"RepoTags\":[\"" + tag + "\"],\"Layers\":[\"" + layerPath
        + "\"]}]").getBytes(StandardCharsets.UTF_8);
  }

  /** An archive in the old layout: {@code <id>/layer.tar}, {@code <config>.json}, manifest.json last. */
  static RawTar oldLayout(byte[] layerBytes, byte[] configBytes, String configName) {
    return new RawTar().file("0123abcd/layer.tar", layerBytes).file(configName, configBytes)
        .file("manifest.json", manifestJson(configName, "0123abcd/layer.tar"));
  }

  static byte[] valid() {
    return oldLayout(layer, config, configDigest.hex() + ".json").build();
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  /** An OCI layout whose manifest says {@code layerSize} for the layer. */
  static byte[] ociWithLayerSize(long layerSize) {
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
        + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
        + "\"digest\":\"" + diffId + "\",\"size\":" + layerSize + "}]}";
    byte[] m = manifest.getBytes(StandardCharsets.UTF_8);
    String index = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"digest\":\"" + Digest.sha256(m) + "\",\"size\":" + m.length + "}]}";
    return new RawTar().file("blobs/sha256/" + diffId.hex(), layer).file("blobs/sha256/" + configDigest.hex(), config)
        .file("blobs/sha256/" + Digest.sha256(m).hex(), m).file("index.json", index.getBytes(StandardCharsets.UTF_8))
        .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)).build();
  }

  /** An OCI manifest of one uncompressed layer. */
  static byte[] ociManifest(Digest cfg, int cfgSize, Digest layerDigest, long layerSize) {
    return ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + cfg
        + "\",\"size\":" + cfgSize + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
        + "\"digest\":\"" + layerDigest + "\",\"size\":" + layerSize + "}]}").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * As dcont's save writes it, the documents before the layers (so that the layer is unpacked while it is read):
   * index.json listing {@code manifests}, the manifests and configs, then {@code layers} (name, content).
   */
  static byte[] documentsFirst(List<byte[]> manifests, List<byte[]> configs, List<Object[]> layers) {
    StringBuilder index = new StringBuilder("{\"schemaVersion\":2,\"manifests\":[");
    for (int i = 0; i < manifests.size(); i++) {
      index.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
          + "\"digest\":\"").append(Digest.sha256(manifests.get(i))).append("\",\"size\":")
          .append(manifests.get(i).length).append(",\"annotations\":{\"io.containerd.image.name\":"
          + "\"docker.io/hostile/streamed:").append(i).append("\"}}");
    }
    RawTar t = new RawTar().file("index.json", index.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    for (byte[] m : manifests) {
      t.file("blobs/sha256/" + Digest.sha256(m).hex(), m);
    }
    for (byte[] c : configs) {
      t.file("blobs/sha256/" + Digest.sha256(c).hex(), c);
    }
    for (Object[] l : layers) {
      t.file((String) l[0], (byte[]) l[1]);
    }
    return t.build();
  }

  static Stream<Arguments> hostile() throws IOException {
    byte[] valid = valid();
    byte[] corrupt = layer.clone();
    corrupt[600] ^= 0x01; // inside etc/hello's header block: another tar, another digest
    byte[] gzLayer = gzip(new TarBuilder().dir("etc").file("etc/other", "no\n").build());
    TarBuilder escaping = new TarBuilder().entry("0123abcd/layer.tar", TarArchiveEntry.LF_SYMLINK, null,
        e -> e.setLinkName("../../../../etc/passwd"));
    TarBuilder absolute = new TarBuilder().entry("0123abcd/layer.tar", TarArchiveEntry.LF_SYMLINK, null,
        e -> e.setLinkName("/etc/passwd"));
    byte[] escapingTar = Arrays.copyOf(escaping.build(), 512); // the link's header, without the end blocks
    byte[] absoluteTar = Arrays.copyOf(absolute.build(), 512);
    byte[] random = new byte[4096];
    new java.util.Random(7).nextBytes(random);
    return Stream.of(
        Arguments.of("truncated inside a layer", Arrays.copyOf(valid, 512 + layer.length / 2), "truncated"),
        Arguments.of("truncated gzip", Arrays.copyOf(gzip(valid), gzip(valid).length / 2), "truncated"),
        Arguments.of("a corrupted layer", oldLayout(corrupt, config, configDigest.hex() + ".json").build(),
            "diff_id"),
        Arguments.of("a blob that is not what its name says",
            new RawTar().file("blobs/sha256/" + diffId.hex(), corrupt).build(), "not the one its name gives"),
        Arguments.of("a config that is not what its name says",
            oldLayout(layer, config, "a".repeat(64) + ".json").build(), "not the one its name gives"),
        Arguments.of("a gzip layer whose content is not its diff_id", oldLayout(gzLayer, config,
            Digest.sha256(config).hex() + ".json").build(), "diff_id"),
        Arguments.of("an entry whose path leaves the archive",
            new RawTar().file("../../evil", "x".getBytes(StandardCharsets.UTF_8)).build(), "outside the archive"),
        Arguments.of("a symbolic link out of the archive", concat(escapingTar, new RawTar().file(
            configDigest.hex() + ".json", config).file("manifest.json", manifestJson(configDigest.hex() + ".json",
            "0123abcd/layer.tar")).build()), "outside the archive"),
        Arguments.of("a symbolic link to an absolute path", concat(absoluteTar, valid), "outside the archive"),
        Arguments.of("manifest.json naming a file outside the archive", new RawTar().file(configDigest.hex() + ".json",
            config).file("manifest.json", manifestJson(configDigest.hex() + ".json", "../../../etc/passwd")).build(),
            "outside the archive"),
        Arguments.of("manifest.json naming a file the archive lacks", new RawTar().file(configDigest.hex() + ".json",
            config).file("manifest.json", manifestJson(configDigest.hex() + ".json", "missing/layer.tar")).build(),
            "does not contain"),
        Arguments.of("no manifest.json nor index.json", new RawTar().file("0123abcd/layer.tar", layer).build(),
            "neither manifest.json nor index.json"),
        Arguments.of("a manifest.json of absurd size", new RawTar().header("manifest.json", '0', 1L << 40).build(),
            "JSON document"),
        Arguments.of("a layer of absurd size", new RawTar().header("0123abcd/layer.tar", '0', 1L << 40).build(),
            "truncated"),
        Arguments.of("a manifest that gives the layer an absurd size", ociWithLayerSize(1L << 50), "size"),
        Arguments.of("a device in the archive", new RawTar().header("dev/sda", '4', 0).build(), "block device"),
        Arguments.of("not a tar", random, "corrupt"),
        Arguments.of("documents first, then a layer that is not what its name says", documentsFirst(
            List.of(ociManifest(configDigest, config.length, diffId, corrupt.length)), List.of(config),
            List.<Object[]>of(new Object[] {"blobs/sha256/" + diffId.hex(), corrupt})), "archive is corrupt"),
        Arguments.of("documents first, a layer unpacked as it is read, then an image whose layer is missing",
            documentsFirst(List.of(ociManifest(configDigest, config.length, diffId, layer.length),
                ociManifest(Digest.sha256(config(Digest.sha256(corrupt))), config(Digest.sha256(corrupt)).length,
                    Digest.sha256(corrupt), corrupt.length)), List.of(config, config(Digest.sha256(corrupt))),
                List.<Object[]>of(new Object[] {"blobs/sha256/" + diffId.hex(), layer})), "does not contain"));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void theValidArchiveTheHostileOnesAreMadeFromLoads() throws IOException {
    Path store = dir.resolve("store");
    Path tar = Files.write(dir.resolve("valid.tar"), valid());
    Cli.Result load = Cli.run(store, "load", "-q", "-i", tar.toString());
    assertEquals(0, load.code(), load.toString());
    assertEquals("Loaded image: hostile/x:1\n", load.out());
    Cli.Result again = Cli.run(dir.resolve("store-oci"), "load", "-q", "-i",
        Files.write(dir.resolve("oci.tar"), ociWithLayerSize(layer.length)).toString());
    assertEquals(0, again.code(), again.toString());
    assertEquals("Loaded image ID: " + configDigest + "\n", again.out());
    Cli.Result streamed = Cli.run(dir.resolve("store-streamed"), "load", "-q", "-i", Files.write(dir.resolve("first.tar"),
        documentsFirst(List.of(ociManifest(configDigest, config.length, diffId, layer.length)), List.of(config),
            List.<Object[]>of(new Object[] {"blobs/sha256/" + diffId.hex(), layer}))).toString());
    assertEquals("Loaded image: hostile/streamed:0\n", streamed.out(), streamed.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void isRefusedWithOneLineAndLeavesTheStoreAsItWas(String what, byte[] archive, String says) throws IOException {
    Path store = dir.resolve("store");
    Path other = Files.write(dir.resolve("other.tar"), new RawTar().file("ffff0000/layer.tar",
        new TarBuilder().dir("srv").build()).file("c.json", config(Digest.sha256(new TarBuilder().dir("srv").build())))
        .file("manifest.json", manifestJson("c.json", "ffff0000/layer.tar", "kept:1")).build());
    assertEquals(0, Cli.run(store, "load", "-i", other.toString()).code(), "the store holds an image already");
    TreeMap<String, Long> before = contents(store);
    String images = Cli.run(store, "images", "--no-trunc").out();

    Path tar = Files.write(dir.resolve("hostile.tar"), archive);
    // -q: a layer refused while it unpacks has had its "Loading layer" line, as in Docker
    Cli.Result load = Cli.run(store, "load", "-q", "-i", tar.toString());
    assertEquals(1, load.code(), load.toString());
    assertEquals("", load.out());
    List<String> lines = load.err().strip().lines().toList();
    assertEquals(1, lines.size(), load.toString());
    assertTrue(lines.get(0).startsWith("dcont: ") && lines.get(0).contains(says), load.toString());
    assertEquals(before, contents(store), what + " left something in the store");
    assertEquals(images, Cli.run(store, "images", "--no-trunc").out());
  }

  /** Every file under the store with its size, but the database, locks and ingest lock files. */
  static TreeMap<String, Long> contents(Path store) throws IOException {
    TreeMap<String, Long> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(store)) {
      for (Path p : s.toList()) {
        String rel = store.relativize(p).toString();
        if (rel.startsWith("dcont.db") || rel.startsWith("locks") || (rel.startsWith("ingest/") && rel.endsWith(".lock"))) {
          continue;
        }
        out.put(rel, Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : -1L);
      }
    }
    return out;
  }
}
