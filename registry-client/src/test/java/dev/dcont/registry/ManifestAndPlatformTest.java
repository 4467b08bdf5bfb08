package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.dcont.store.Store;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestAndPlatformTest extends WireMockSupport {

  RegistryException pullFails(String refText) throws Exception {
    try (Store store = openStore()) {
      return assertThrows(RegistryException.class, () -> puller(store).pull(ref(refText), null, null));
    }
  }

  void serveManifest(String contentType, byte[] body) {
    registry.stubFor(get(urlEqualTo("/v2/app/manifests/v1")).willReturn(aResponse()
        .withHeader("Content-Type", contentType).withBody(body)));
  }

  @Test
  void acceptsExactlyTheFourManifestTypes() throws Exception {
    TestImage img = TestImage.small(31);
    img.stub(registry, "app", "v1");
    try (Store store = openStore()) {
      puller(store).pull(ref("app:v1"), null, null);
    }
    String accept = registry.findAll(getRequestedFor(urlEqualTo("/v2/app/manifests/v1"))).get(0).getHeader("Accept");
    assertEquals(List.of(MediaType.OCI_INDEX.value(), MediaType.DOCKER_MANIFEST_LIST.value(),
        MediaType.OCI_MANIFEST.value(), MediaType.DOCKER_MANIFEST.value()), List.of(accept.split(",\\s*")));
  }

  @Test
  void contentTypeThatContradictsTheBodysMediaTypeIsRefused() throws Exception {
    TestImage img = TestImage.small(32);
    serveManifest(MediaType.DOCKER_MANIFEST.value(), img.manifest); // body says OCI manifest
    RegistryException e = pullFails("app:v1");
    assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind());
    assertTrue(e.getMessage().contains("does not match its mediaType " + MediaType.OCI_MANIFEST), e.getMessage());
  }

  @Test
  void unknownMediaTypeIsRefused() throws Exception {
    byte[] body = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.thing+json\"}".getBytes(StandardCharsets.UTF_8);
    serveManifest("application/vnd.example.thing+json", body);
    RegistryException e = pullFails("app:v1");
    assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind());
    assertTrue(e.getMessage().contains("unsupported media type application/vnd.example.thing+json"), e.getMessage());
  }

  @Test
  void schema1IsRefusedWithAHint() throws Exception {
    byte[] body = "{\"schemaVersion\":1,\"name\":\"app\",\"tag\":\"v1\",\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8);
    serveManifest(MediaType.DOCKER_SCHEMA1_SIGNED.value(), body);
    RegistryException e = pullFails("app:v1");
    assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind());
    assertTrue(e.getMessage().contains("schema 1"), e.getMessage());
  }

  @Test
  void manifestOverFourMebibytesIsRefused() throws Exception {
    byte[] big = new byte[4 * 1024 * 1024 + 10];
    java.util.Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    serveManifest(MediaType.OCI_MANIFEST.value(), big);
    RegistryException e = pullFails("app:v1");
    assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind());
    assertTrue(e.getMessage().contains("too large"), e.getMessage());
  }

  @Test
  void dockerContentDigestMustMatchTheBytes() throws Exception {
    TestImage img = TestImage.small(33);
    registry.stubFor(get(urlEqualTo("/v2/app/manifests/v1")).willReturn(aResponse()
        .withHeader("Content-Type", img.manifestType.value())
        .withHeader("Docker-Content-Digest", Digest.sha256("something else").toString())
        .withBody(img.manifest)));
    RegistryException e = pullFails("app:v1");
    assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
    assertTrue(e.getMessage().contains("Docker-Content-Digest"), e.getMessage());
  }

  @Test
  void nonImageArtifactIsRefused() throws Exception {
    byte[] body = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\""
        + Digest.sha256("c") + "\",\"size\":1},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    serveManifest(MediaType.OCI_MANIFEST.value(), body);
    RegistryException e = pullFails("app:v1");
    assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind());
    assertTrue(e.getMessage().contains("not a container image"), e.getMessage());
  }

  // ---- indexes and platforms

  static Descriptor entry(TestImage img, Platform p) {
    return new Descriptor(img.manifestType, img.manifestDigest, img.manifest.length, null, null, p, null);
  }

  static Descriptor attestationFor(TestImage img) {
    return new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256("attestation"), 100, null,
        Map.of("vnd.docker.reference.type", "attestation-manifest",
            "vnd.docker.reference.digest", img.manifestDigest.toString()),
        new Platform("unknown", "unknown", null), null);
  }

  /** amd64, arm64 (v8), arm/v7 and arm/v6 images behind one OCI index with attestation entries. */
  List<TestImage> multiPlatform(String tag) {
    List<Platform> ps = List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"),
        Platform.parse("linux/arm/v7"), Platform.parse("linux/arm/v6"));
    List<TestImage> imgs = new ArrayList<>();
    List<Descriptor> entries = new ArrayList<>();
    for (int i = 0; i < ps.size(); i++) {
      TestImage img = new TestImage(40 + i, 1, 500, ps.get(i), MediaType.OCI_MANIFEST);
      imgs.add(img);
      entries.add(attestationFor(img));
      entries.add(entry(img, ps.get(i)));
      img.stubManifest(registry, "multi", img.manifestDigest.toString());
      img.stubBlobs(registry, "multi");
    }
    TestImage.stubIndex(registry, "multi", tag, MediaType.OCI_INDEX, TestImage.index(MediaType.OCI_INDEX, entries));
    return imgs;
  }

  @Test
  void platformFlagChoosesTheMatchingEntryIncludingVariants() throws Exception {
    List<TestImage> imgs = multiPlatform("v1");
    String[][] cases = {{"linux/amd64", "0"}, {"linux/arm64", "1"}, {"linux/aarch64", "1"}, {"linux/arm64/v8", "1"},
        {"linux/arm/v7", "2"}, {"linux/arm", "2"}, {"linux/arm/v6", "3"}, {"linux/armel", "3"}};
    for (String[] c : cases) {
      try (Store store = Store.open(tmp.resolve("store-" + c[0].replace('/', '_')))) {
        PullResult r = puller(store).pull(ref("multi:v1"), Platform.parse(c[0]), null);
        TestImage want = imgs.get(Integer.parseInt(c[1]));
        assertEquals(want.manifestDigest, r.image().manifestDigest(), c[0]);
        assertEquals(want.platform.normalised(), r.image().platform(), c[0]);
      }
    }
    // attestation manifests are never fetched
    registry.verify(0, getRequestedFor(urlEqualTo("/v2/multi/manifests/" + Digest.sha256("attestation"))));
  }

  @Test
  void missingPlatformListsTheAvailableOnes() throws Exception {
    multiPlatform("v1");
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> puller(store).pull(ref("multi:v1"), Platform.parse("linux/s390x"), null));
      assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
      assertTrue(e.getMessage().contains("no image for platform linux/s390x (available: linux/amd64, linux/arm64/v8,"
          + " linux/arm/v7, linux/arm/v6; use --platform)"), e.getMessage());
      assertTrue(!e.getMessage().contains("unknown"), e.getMessage());
    }
  }

  @Test
  void hostPlatformIsTheDefaultAndIndexDigestIsRecorded() throws Exception {
    TestImage img = TestImage.small(50);
    TestImage other = new TestImage(51, 1, 100, Platform.parse("linux/s390x"), MediaType.DOCKER_MANIFEST);
    img.stubManifest(registry, "app", img.manifestDigest.toString());
    img.stubBlobs(registry, "app");
    byte[] index = TestImage.index(MediaType.DOCKER_MANIFEST_LIST,
        List.of(entry(other, other.platform), entry(img, Platform.host())));
    TestImage.stubIndex(registry, "app", "v1", MediaType.DOCKER_MANIFEST_LIST, index);
    try (Store store = openStore()) {
      PullResult r = puller(store).pull(ref("app:v1"), null, null);
      assertEquals(img.manifestDigest, r.image().manifestDigest());
      assertEquals(Digest.sha256(index), r.servedDigest());
      assertTrue(store.content().exists(Digest.sha256(index)), "index stored");
      registry.resetRequests();
      PullResult again = puller(store).pull(ref("app:v1"), null, null);
      assertTrue(!again.downloaded());
      assertEquals(1, registry.getAllServeEvents().size());
    }
  }

  @Test
  void nestedIndexIsFollowedOnce() throws Exception {
    TestImage img = TestImage.small(52);
    img.stubManifest(registry, "app", img.manifestDigest.toString());
    img.stubBlobs(registry, "app");
    byte[] inner = TestImage.index(MediaType.OCI_INDEX, List.of(entry(img, Platform.host())));
    Digest innerDigest = Digest.sha256(inner);
    TestImage.stubIndex(registry, "app", innerDigest.toString(), MediaType.OCI_INDEX, inner);
    byte[] outer = TestImage.index(MediaType.OCI_INDEX,
        List.of(new Descriptor(MediaType.OCI_INDEX, innerDigest, inner.length)));
    TestImage.stubIndex(registry, "app", "v1", MediaType.OCI_INDEX, outer);
    try (Store store = openStore()) {
      PullResult r = puller(store).pull(ref("app:v1"), null, null);
      assertEquals(img.manifestDigest, r.image().manifestDigest());
      assertEquals(Digest.sha256(outer), r.servedDigest());
    }
  }

  @Test
  void indexEntryWhoseManifestDoesNotHashToItsDigestIsRefused() throws Exception {
    TestImage img = TestImage.small(53);
    TestImage evil = TestImage.small(54);
    registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/" + img.manifestDigest)).willReturn(aResponse()
        .withHeader("Content-Type", evil.manifestType.value()).withBody(evil.manifest)));
    TestImage.stubIndex(registry, "app", "v1", MediaType.OCI_INDEX,
        TestImage.index(MediaType.OCI_INDEX, List.of(entry(img, Platform.host()))));
    RegistryException e = pullFails("app:v1");
    assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
    registry.verify(0, WireMock.getRequestedFor(WireMock.urlMatching("/v2/app/blobs/.*")));
  }
}
