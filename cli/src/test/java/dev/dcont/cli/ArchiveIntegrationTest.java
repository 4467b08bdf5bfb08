package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.layers.tar.TarEntry;
import dev.dcont.layers.tar.TarReader;
import dev.dcont.store.model.Digest;
import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.HostCommand;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code save} and {@code load} against the tools that read and write the same archives: skopeo copies what dcont
 * saves into a registry (as docker-archive and as oci-archive) with the image's digests, podman loads it, and
 * what skopeo writes (docker-archive, oci-archive, an OCI layout directory) loads and runs; a round trip through
 * a second store keeps the image's ID, manifest and names.
 */
class ArchiveIntegrationTest {
  static ContainerHost host;
  static TestImage busybox;
  static String ref;
  static String ref2;

  @TempDir
  Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    host = ContainerHost.start("ArchiveIntegrationTest");
    busybox = TestImage.builder().layer(Busybox.rootfs().build(), Layer.Compression.GZIP)
        .config("Cmd", List.of("sh")).build();
    ref = host.registry.push("t/archive", "1", busybox);
    ref2 = host.registry.push("t/archive", "2", busybox);
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (host != null) {
      host.close();
    }
  }

  @AfterEach
  void removeContainers() throws Exception {
    try (var roots = Files.list(dir)) {
      for (Path p : roots.filter(p -> p.getFileName().toString().startsWith("store")).toList()) {
        Cli.removeContainers(p);
      }
    }
  }

  private Path pulled(String name, String... refs) {
    Path store = dir.resolve(name);
    for (String r : refs) {
      Cli.Result pull = Cli.run(store, "pull", "-q", r);
      assertEquals(0, pull.code(), pull.toString());
    }
    return store;
  }

  private static Cli.Result ok(Cli.Result r) {
    assertEquals(0, r.code(), r.toString());
    return r;
  }

  private HostCommand.Result skopeo(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(HostTool.require("skopeo").toString()));
    cmd.addAll(List.of(args));
    return HostTool.run(dir, cmd).ok();
  }

  @Test
  void skopeoCopiesTheSavedArchiveIntoARegistryAsDockerArchiveAndAsOciArchiveWithTheImagesDigests() throws Exception {
    Path store = pulled("store-a", ref);
    Path tar = dir.resolve("saved.tar");
    ok(Cli.run(store, "save", "-o", tar.toString(), ref));

    String fromDocker = host.registry.host() + "/t/from-docker-archive:1";
    skopeo("copy", "-q", "--dest-tls-verify=false", "docker-archive:" + tar, "docker://" + fromDocker);
    // skopeo makes a new manifest from manifest.json (layers as in the archive), with the config as it was
    String config = JsonDoc.parse(skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + fromDocker).out())
        .get("config").get("digest").asText();
    assertEquals(busybox.configDigest().toString(), config);

    String fromOci = host.registry.host() + "/t/from-oci-archive:1";
    skopeo("copy", "-q", "--dest-tls-verify=false", "oci-archive:" + tar + ":1", "docker://" + fromOci);
    String digest = JsonDoc.parse(skopeo("inspect", "--tls-verify=false", "docker://" + fromOci).out())
        .get("Digest").asText();
    assertEquals(busybox.manifestDigest().toString(), digest, "the manifest went through byte for byte");

    // and a second store pulls it back as the same image
    Cli.Result back = Cli.run(dir.resolve("store-b"), "pull", fromOci);
    assertEquals(0, back.code(), back.toString());
    assertTrue(back.out().contains("Digest: " + busybox.manifestDigest()), back.toString());
  }

  @Test
  void archivesSkopeoWritesLoadIntoAFreshStoreAndRun() throws Exception {
    String src = "docker://" + ref;
    Path dockerArchive = dir.resolve("skopeo-docker.tar");
    Path ociArchive = dir.resolve("skopeo-oci.tar");
    Path ociDir = dir.resolve("skopeo-oci");
    skopeo("copy", "-q", "--src-tls-verify=false", src, "docker-archive:" + dockerArchive + ":t/from-skopeo:1");
    skopeo("copy", "-q", "--src-tls-verify=false", src, "oci-archive:" + ociArchive + ":t/from-skopeo:2");
    skopeo("copy", "-q", "--src-tls-verify=false", src, "oci:" + ociDir + ":latest");

    Path store = dir.resolve("store-skopeo");
    assertEquals("Loaded image: t/from-skopeo:1\n",
        ok(Cli.run(store, "load", "-q", "-i", dockerArchive.toString())).out());
    assertEquals("Loaded image: t/from-skopeo:2\n", ok(Cli.run(store, "load", "-q", "-i", ociArchive.toString())).out());
    // an OCI layout whose only name is a tag names no repository: the image is known by its ID, as Docker loads it
    // (in a store of its own: the three manifests skopeo wrote have one config, so one ID)
    Path byId = dir.resolve("store-oci-dir");
    assertEquals("Loaded image ID: " + busybox.configDigest() + "\n",
        ok(Cli.run(byId, "load", "-q", "-i", ociDir.toString())).out());
    // gzip-compressed, from standard input
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(Files.readAllBytes(dockerArchive));
    }
    Path other = dir.resolve("store-gzip");
    assertEquals("Loaded image: t/from-skopeo:1\n", ok(Cli.run(other, gz.toByteArray(), "load", "-q")).out());

    for (String image : List.of("t/from-skopeo:1", "t/from-skopeo:2")) {
      Cli.Result run = Cli.run(store, host.inParent("run", "--rm", image, "sh", "-c", "exit 7"));
      assertEquals(7, run.code(), image + ": " + run);
    }
    Cli.Result run = Cli.run(byId, host.inParent("run", "--rm", busybox.configDigest().hex(), "sh", "-c", "exit 7"));
    assertEquals(7, run.code(), run.toString());
    assertEquals(7, Cli.run(other, host.inParent("run", "--rm", "t/from-skopeo:1", "sh", "-c", "exit 7")).code());
  }

  @Test
  void podmanLoadsTheSavedArchive() throws Exception {
    Path podman = HostTool.require("podman");
    Path store = pulled("store-podman", ref);
    Path tar = dir.resolve("for-podman.tar");
    ok(Cli.run(store, "save", "-o", tar.toString(), ref));
    Path p = dir.resolve("podman");
    List<String> base = List.of(podman.toString(), "--root", p.resolve("root").toString(), "--runroot",
        p.resolve("run").toString(), "--tmpdir", p.resolve("tmp").toString(), "--storage-driver", "vfs",
        "--cgroup-manager", "cgroupfs", "--events-backend", "none", "--network-config-dir",
        p.resolve("networks").toString());
    try {
      List<String> load = new ArrayList<>(base);
      load.addAll(List.of("load", "-i", tar.toString()));
      HostCommand.Result loaded = HostTool.run(dir, load).ok();
      assertTrue(loaded.out().contains("Loaded image: " + ref), loaded.toString());
      List<String> inspect = new ArrayList<>(base);
      inspect.addAll(List.of("image", "inspect", "--format", "{{.Id}}", ref));
      assertEquals(busybox.configDigest().hex(), HostTool.run(dir, inspect).ok().out().strip());
    } finally {
      List<String> rmi = new ArrayList<>(base);
      rmi.addAll(List.of("rmi", "-af"));
      HostTool.run(dir, rmi);
    }
  }

  @Test
  void saveAndExportRefuseATerminalAsDockerDoes() throws Exception {
    Path store = pulled("store-terminal", ref);
    String command = String.join(" ", Cli.command(store, "save", ref).command().stream().map(a -> "'" + a + "'")
        .toList());
    // script(1) gives the command a terminal as its standard output
    HostCommand.Result r = HostTool.run(dir, List.of("script", "-qefc", command, "/dev/null"));
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.out().contains("dcont: cowardly refusing to save to a terminal. Use the -o flag or redirect"),
        r.toString());
  }

  @Test
  void aRoundTripThroughASecondStoreKeepsTheImageIdManifestAndTags() throws Exception {
    Path a = pulled("store-round-a", ref, ref2);
    Path tar = dir.resolve("round.tar");
    ok(Cli.run(a, "save", "-o", tar.toString(), ref, ref2));
    Path b = dir.resolve("store-round-b");
    String name = ref.substring(0, ref.length() - 2);
    assertEquals("Loaded image: " + ref + "\nLoaded image: " + ref2 + "\n",
        ok(Cli.run(b, "load", "-q", "-i", tar.toString())).out());
    for (String r : List.of(ref, ref2)) {
      JsonDoc img = JsonDoc.parse(ok(Cli.run(b, "inspect", r)).out()).get(0);
      assertEquals(busybox.configDigest().toString(), img.get("Id").asText());
      assertTrue(img.get("RepoTags").toString().contains(r), img.toString());
    }
    assertEquals(7, Cli.run(b, host.inParent("run", "--rm", ref2, "sh", "-c", "exit 7")).code());

    // in Docker 25's own order (the blobs first, by name, the documents after them), and as a directory
    Path unpacked = Files.createDirectory(dir.resolve("unpacked"));
    HostTool.run(dir, List.of("tar", "-xf", tar.toString(), "-C", unpacked.toString())).ok();
    Path docker25 = dir.resolve("docker25.tar");
    HostTool.run(dir, List.of("tar", "-cf", docker25.toString(), "-C", unpacked.toString(), "blobs", "index.json",
        "manifest.json", "oci-layout", "repositories")).ok();
    for (Path input : List.of(docker25, unpacked)) {
      Path d = Files.createTempDirectory(dir, "store-round-d");
      assertEquals("Loaded image: " + ref + "\nLoaded image: " + ref2 + "\n",
          ok(Cli.run(d, "load", "-q", "-i", input.toString())).out(), input.toString());
      assertEquals(busybox.configDigest().toString(), ok(Cli.run(d, "images", "-q", "--no-trunc")).out().strip());
    }

    // saved by its ID, an image has no name: it is loaded by its ID alone
    Path byId = dir.resolve("by-id.tar");
    ok(Cli.run(a, "save", "-o", byId.toString(), busybox.configDigest().hex().substring(0, 12)));
    Path c = dir.resolve("store-round-c");
    assertEquals("Loaded image ID: " + busybox.configDigest() + "\n", ok(Cli.run(c, "load", "-q", "-i", byId.toString())).out());
    assertFalse(ok(Cli.run(c, "images")).out().contains(name), "no tag was saved");
    // the archive names every blob by its digest and the stored bytes match it
    String listing = ok(Cli.run(c, "images", "-q", "--no-trunc")).out().strip();
    assertEquals(busybox.configDigest().toString(), listing);
    assertTrue(Digest.isValid(listing));
  }

  @Test
  void exportWritesTheRootTheContainerSeesWithItsChangesAndDeletionsApplied() throws Exception {
    TestImage image = TestImage.builder().layer(Busybox.rootfs().dir("opt").file("opt/old", "o\n").build(),
        Layer.Compression.GZIP).build();
    String exportRef = host.registry.push("t/export", "1", image);
    Path store = pulled("store-export", exportRef);
    Cli.Result run = Cli.run(store, host.inParent("run", "--name", "exported", exportRef, "sh", "-c",
        "echo hello > /new.txt && rm /bin/cat && rm -rf /opt && mkdir /opt && echo x > /opt/only"));
    assertEquals(0, run.code(), run.toString());
    Path tar = dir.resolve("export.tar");
    ok(Cli.run(store, "export", "-o", tar.toString(), "exported"));
    Map<String, TarEntry> entries = new TreeMap<>();
    Map<String, String> texts = new TreeMap<>();
    read(tar, entries, texts);
    assertEquals("hello\n", texts.get("new.txt"));
    assertFalse(entries.containsKey("bin/cat"), "a file the container deleted is not exported");
    assertEquals("x\n", texts.get("opt/only"));
    assertFalse(entries.containsKey("opt/old"), "a directory the container made again hides the image's");
    assertEquals("root:x:0:0:root:/root:/bin/sh\n", texts.get("etc/passwd").lines().findFirst().get() + "\n");
    assertEquals(Files.size(Busybox.BINARY), entries.get("bin/busybox").size());
    assertEquals(0755, entries.get("bin/busybox").mode());
    assertEquals("busybox", entries.get("bin/sh").linkName());
    assertTrue(entries.get("tmp").isDirectory());

    // a running container: what it wrote a moment ago is there
    ok(Cli.run(store, host.inParent("run", "-d", "--name", "live", ref, "sh", "-c", "echo live > /live.txt; sleep 60")));
    Path live = dir.resolve("live.tar");
    Poll.until("the running container's file in its export", Duration.ofSeconds(20), () -> {
      ok(Cli.run(store, "export", "-o", live.toString(), "live"));
      Map<String, String> t = new TreeMap<>();
      read(live, new TreeMap<>(), t);
      return "live\n".equals(t.get("live.txt"));
    });
  }

  /** The entries of a tar by name, and the text of its regular files. */
  private static void read(Path tar, Map<String, TarEntry> entries, Map<String, String> texts) throws Exception {
    try (InputStream in = Files.newInputStream(tar)) {
      TarReader r = new TarReader(in);
      for (TarEntry e = r.next(); e != null; e = r.next()) {
        String name = e.name().endsWith("/") ? e.name().substring(0, e.name().length() - 1) : e.name();
        entries.put(name, e);
        if (e.type() == TarEntry.Type.FILE && e.size() < 4096) {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          byte[] buf = new byte[4096];
          for (int n = r.read(buf, 0, buf.length); n > 0; n = r.read(buf, 0, buf.length)) {
            b.write(buf, 0, n);
          }
          texts.put(name, b.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    }
  }
}
