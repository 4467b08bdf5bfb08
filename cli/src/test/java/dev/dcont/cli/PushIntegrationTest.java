package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.TarBuilder;
import dev.dcont.testkit.TestCgroupParent;
import dev.dcont.testkit.TestImage;
import dev.dcont.testkit.TestIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dcont tag and dcont push against a real docker-registry on loopback, checked with skopeo and a second store. */
class PushIntegrationTest {
  static LocalRegistry registry;
  static TestImage busybox;
  static TestImage other;
  static TestIndex index;
  /** The registry as the images were pulled from it: another name than the one pushed to (no mounts known). */
  static String pullHost;

  @TempDir
  Path root;
  @TempDir
  Path second;
  @TempDir
  Path work;

  @BeforeAll
  static void setUp() throws Exception {
    registry = LocalRegistry.start();
    busybox = TestImage.builder().layer(Busybox.rootfs().build(), Layer.Compression.GZIP)
        .layer(new TarBuilder().file("etc/pushed", "by dcont").build(), Layer.Compression.GZIP)
        .config("Cmd", List.of("sh")).build();
    registry.push("t/busybox", "1", busybox);
    other = TestImage.builder().layer(new TarBuilder().file("other.txt", "other").build(), Layer.Compression.GZIP)
        .build();
    registry.push("t/other", "1", other);
    index = TestIndex.of(true, List.of(
        TestImage.builder().platform("linux/amd64").layer(new TarBuilder().file("arch", "amd64").build(),
            Layer.Compression.GZIP).build(),
        TestImage.builder().platform("linux/arm64/v8").layer(new TarBuilder().file("arch", "arm64").build(),
            Layer.Compression.GZIP).build()));
    registry.push("t/plat", "1", index);
    pullHost = "localhost:" + registry.port();
  }

  @AfterAll
  static void tearDown() {
    registry.close();
  }

  private static String lf(String s) {
    return s.replace(System.lineSeparator(), "\n");
  }

  private void pull(Path store, String ref) {
    Cli.Result pull = Cli.run(store, "pull", "-q", "--no-unpack", ref);
    assertEquals(0, pull.code(), pull.toString());
  }

  private static String skopeoDigest(String ref) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("skopeo", "inspect", "--tls-verify=false", "docker://" + ref)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return JsonDoc.parse(out).get("Digest").asText();
  }

  @Test
  void pushUploadsTheImageUnderItsDigestThenFindsItsLayersAndMountsThemIntoAnotherRepository() throws Exception {
    pull(root, pullHost + "/t/busybox:1");
    String target = registry.host() + "/pushed/bb";
    assertEquals(0, Cli.run(root, "tag", pullHost + "/t/busybox:1", target + ":2").code());
    String base = busybox.layers().get(0).digest().shortHex();
    String top = busybox.layers().get(1).digest().shortHex();

    Cli.Result push = Cli.run(root, "push", target + ":2");
    assertEquals(0, push.code(), push.toString());
    String header = "The push refers to repository [" + target + "]";
    String digestLine = "2: digest: " + busybox.manifestDigest() + " size: " + busybox.manifest().length;
    assertPushLines(push, header, top, base, "Pushed", digestLine);
    assertEquals(busybox.manifestDigest().toString(), skopeoDigest(target + ":2"), "the digest is unchanged");

    Cli.Result again = Cli.run(root, "push", target + ":2");
    assertEquals(0, again.code(), again.toString());
    assertPushLines(again, header, top, base, "Layer already exists", digestLine);

    // the store now knows pushed/bb of this registry has the layers: a push to another repository mounts them
    assertEquals(0, Cli.run(root, "tag", target + ":2", registry.host() + "/copy/bb:3").code());
    Cli.Result mounted = Cli.run(root, "push", registry.host() + "/copy/bb:3");
    assertEquals(0, mounted.code(), mounted.toString());
    assertTrue(lf(mounted.out()).contains(base + ": Mounted from pushed/bb\n"), mounted.out());
    assertTrue(lf(mounted.out()).contains(top + ": Mounted from pushed/bb\n"), mounted.out());
    assertEquals(busybox.manifestDigest().toString(), skopeoDigest(registry.host() + "/copy/bb:3"));
  }

  /** Docker's lines: the repository, each layer preparing (top first), each done (in any order), the digest. */
  private static void assertPushLines(Cli.Result push, String header, String top, String base, String done,
      String digestLine) {
    List<String> lines = lf(push.out()).lines().toList();
    assertEquals(6, lines.size(), push.out());
    assertEquals(List.of(header, top + ": Preparing", base + ": Preparing"), lines.subList(0, 3), push.out());
    assertEquals(Set.of(top + ": " + done, base + ": " + done), Set.copyOf(lines.subList(3, 5)), push.out());
    assertEquals(digestLine, lines.get(5));
  }

  @Test
  void aSecondEmptyStorePullsThePushedImageBackAndRunsIt() throws Exception {
    Root.require("the pushed image is run");
    pull(root, pullHost + "/t/busybox:1");
    String target = registry.host() + "/run/bb:1";
    assertEquals(0, Cli.run(root, "tag", pullHost + "/t/busybox:1", target).code());
    assertEquals(0, Cli.run(root, "push", "-q", target).code());
    try (TestCgroupParent cgroups = TestCgroupParent.create("push")) {
      Cli.Result run = Cli.runProcess(second, work, Cli.inParent(cgroups, "run", "--rm", target, "cat",
          "/etc/pushed"));
      assertEquals(0, run.code(), run.toString());
      assertTrue(run.out().contains("by dcont"), run.toString());
    } finally {
      Cli.removeContainers(second);
    }
  }

  /** The digest of the bytes the registry serves for {@code ref} (its index, for a multi-platform image). */
  private static String rawDigest(String ref) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref).start();
    byte[] raw = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), new String(raw, StandardCharsets.UTF_8));
    return dev.dcont.store.model.Digest.sha256(raw).toString();
  }

  @Test
  void aMultiPlatformImageIsPushedAsItsIndexWhenTheStoreHasEveryPlatformElseAsItsOwnManifest() throws Exception {
    String source = pullHost + "/t/plat:1";
    Cli.Result one = Cli.run(root, "pull", "-q", "--no-unpack", "--platform", "linux/amd64", source);
    assertEquals(0, one.code(), one.toString());
    assertEquals(0, Cli.run(root, "tag", source, registry.host() + "/plat/one:1").code());
    Cli.Result single = Cli.run(root, "push", registry.host() + "/plat/one:1");
    assertEquals(0, single.code(), single.toString());
    String amd64 = index.images().get(0).manifestDigest().toString();
    assertTrue(single.out().contains("1: digest: " + amd64 + " size: "), single.out());
    assertEquals(amd64, rawDigest(registry.host() + "/plat/one:1"));

    Cli.Result two = Cli.run(root, "pull", "-q", "--no-unpack", "--platform", "linux/arm64/v8", source);
    assertEquals(0, two.code(), two.toString());
    assertEquals(0, Cli.run(root, "tag", source, registry.host() + "/plat/all:1").code());
    Cli.Result whole = Cli.run(root, "push", registry.host() + "/plat/all:1");
    assertEquals(0, whole.code(), whole.toString());
    assertTrue(whole.out().contains("1: digest: " + index.digest() + " size: " + index.index().length), whole.out());
    assertEquals(index.digest().toString(), rawDigest(registry.host() + "/plat/all:1"), "the index as stored");
    assertEquals(index.images().get(1).manifestDigest().toString(),
        rawDigest(registry.host() + "/plat/all@" + index.images().get(1).manifestDigest()));
  }

  @Test
  void allTagsPushesEveryTagOfTheRepositoryAndTakesNoTag() throws Exception {
    pull(root, pullHost + "/t/busybox:1");
    pull(root, pullHost + "/t/other:1");
    String repo = registry.host() + "/all/x";
    assertEquals(0, Cli.run(root, "tag", pullHost + "/t/busybox:1", repo + ":a").code());
    assertEquals(0, Cli.run(root, "tag", pullHost + "/t/other:1", repo + ":b").code());
    Cli.Result push = Cli.run(root, "push", "--all-tags", repo);
    assertEquals(0, push.code(), push.toString());
    String out = lf(push.out());
    assertEquals(1, out.split("The push refers to repository", -1).length - 1, out);
    assertTrue(out.contains("a: digest: " + busybox.manifestDigest() + " size: "), out);
    assertTrue(out.contains("b: digest: " + other.manifestDigest() + " size: "), out);
    assertEquals(other.manifestDigest().toString(), skopeoDigest(repo + ":b"));

    Cli.Result tagged = Cli.run(root, "push", "-a", repo + ":a");
    assertEquals(2, tagged.code(), tagged.toString());
  }

  @Test
  void pushOfAnImageNotInTheStoreIsOneLineAndExit1() {
    Cli.Result push = Cli.run(root, "push", registry.host() + "/nope");
    assertEquals(1, push.code(), push.toString());
    assertEquals("dcont: An image does not exist locally with the tag: " + registry.host() + "/nope\n",
        lf(push.err()));
    assertEquals("", push.out());
  }

  @Test
  void tagNamesTheImageBySourceNameIdOrDigestAndRefusesAsDockerDoes() {
    pull(root, pullHost + "/t/busybox:1");
    String id = busybox.configDigest().shortHex();
    assertEquals(0, Cli.run(root, "tag", id, "byid").code());
    assertEquals(0, Cli.run(root, "tag", pullHost + "/t/busybox@" + busybox.manifestDigest(), "bydigest:7").code());
    assertEquals(0, Cli.run(root, "tag", "byid", "byname:8").code());
    Cli.Result images = Cli.run(root, "images");
    for (String name : List.of("byid ", "bydigest ", "byname ")) {
      assertTrue(images.out().lines().anyMatch(l -> l.startsWith(name) && l.contains(id)), images.out());
    }

    Cli.Result missing = Cli.run(root, "tag", "nope", "x");
    assertEquals(1, missing.code());
    assertEquals("dcont: No such image: nope:latest\n", lf(missing.err()));
    Cli.Result upper = Cli.run(root, "tag", "byid", "Bad");
    assertEquals(1, upper.code());
    assertTrue(lf(upper.err()).startsWith("dcont: Error parsing reference: \"Bad\" is not a valid repository/tag: "),
        upper.err());
    assertEquals(1, lf(upper.err()).lines().count());
    Cli.Result digest = Cli.run(root, "tag", "byid", "x@" + busybox.manifestDigest());
    assertEquals(1, digest.code());
    assertEquals("dcont: refusing to create a tag with a digest reference\n", lf(digest.err()));
    assertEquals(2, Cli.run(root, "tag", "byid").code(), "a missing argument is a usage error");
  }
}
