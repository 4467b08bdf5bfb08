package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Documents that lie — a manifest that is also an index, an index that is also a manifest, a size that does not
 * fit a blob already stored, members of the wrong kind or missing — are refused with one line in the document's
 * own terms, and nothing is recorded.
 */
class LyingDocumentsTest extends WireMockSupport {

  RegistryException pullFails(String tag) throws Exception {
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> puller(store).pull(ref("app:" + tag), null,
          null));
      assertTrue(store.images().find(ref("app:" + tag)).isEmpty(), "nothing recorded");
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
      assertFalse(e.getMessage().contains("dev.dcont") || e.getMessage().contains("java."), e.getMessage());
      return e;
    }
  }

  void serve(String tag, MediaType type, Map<String, Object> doc) {
    registry.stubFor(get(urlEqualTo("/v2/app/manifests/" + tag)).willReturn(aResponse()
        .withHeader("Content-Type", type.value()).withBody(Json.write(doc))));
  }

  static Map<String, Object> manifestOf(TestImage img) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaType.OCI_MANIFEST.value());
    m.put("config", img.configDescriptor);
    m.put("layers", img.layerDescriptors);
    return m;
  }

  @Test
  void anImageManifestThatAlsoListsManifestsIsRefused() throws Exception {
    TestImage img = TestImage.small(171);
    img.stubBlobs(registry, "app");
    Map<String, Object> m = manifestOf(img);
    m.put("manifests", List.of(img.manifestDescriptor()));
    serve("v1", MediaType.OCI_MANIFEST, m);
    RegistryException e = pullFails("v1");
    assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind());
    assertTrue(e.getMessage().contains("is an image manifest but also has \"manifests\""), e.getMessage());
  }

  @Test
  void anIndexThatAlsoHasLayersOrAConfigIsRefused() throws Exception {
    TestImage img = TestImage.small(172);
    img.stub(registry, "app", "m1");
    for (String member : List.of("layers", "config")) {
      Map<String, Object> index = new LinkedHashMap<>();
      index.put("schemaVersion", 2);
      index.put("mediaType", MediaType.OCI_INDEX.value());
      index.put("manifests", List.of(img.manifestDescriptor()));
      index.put(member, member.equals("layers") ? img.layerDescriptors : img.configDescriptor);
      serve("v1", MediaType.OCI_INDEX, index);
      RegistryException e = pullFails("v1");
      assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind());
      assertTrue(e.getMessage().contains("is an index but also has \"" + member + "\""), e.getMessage());
    }
  }

  @Test
  void aStoredBlobGivenAnotherSizeByTheManifestIsRefused() throws Exception {
    TestImage img = TestImage.small(173);
    img.stub(registry, "app", "v1");
    try (Store store = openStore()) {
      puller(store).pull(ref("app:v1"), null, null);
    }
    // the same blobs, now in the store, each claimed with one byte more
    Descriptor layer = img.layerDescriptors.get(0);
    Map<String, Object> bigLayer = manifestOf(img);
    bigLayer.put("layers", List.of(new Descriptor(layer.mediaType(), layer.digest(), layer.size() + 1),
        img.layerDescriptors.get(1)));
    serve("layer", MediaType.OCI_MANIFEST, bigLayer);
    RegistryException e = pullFails("layer");
    assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
    assertTrue(e.getMessage().contains("layer " + layer.digest() + ": the manifest gives size " + (layer.size() + 1)
        + ", but the blob with this digest has " + layer.size() + " bytes"), e.getMessage());

    Descriptor cfg = img.configDescriptor;
    Map<String, Object> bigConfig = manifestOf(img);
    bigConfig.put("config", new Descriptor(cfg.mediaType(), cfg.digest(), cfg.size() + 1));
    serve("config", MediaType.OCI_MANIFEST, bigConfig);
    RegistryException c = pullFails("config");
    assertEquals(RegistryException.Kind.DIGEST_MISMATCH, c.kind());
    assertTrue(c.getMessage().contains("config " + cfg.digest() + ": the manifest gives size " + (cfg.size() + 1)),
        c.getMessage());
  }

  @Test
  void membersOfTheWrongKindOrMissingAreNamedInTheDocumentsTerms() throws Exception {
    TestImage img = TestImage.small(174);
    img.stubBlobs(registry, "app");
    String d = img.configDescriptor.digest().toString();
    String[][] cases = {
        {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG + "\",\"size\":3},\"layers\":[]}",
            "config has no digest"},
        {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG + "\",\"digest\":\"" + d
            + "\"},\"layers\":[]}", "config has no size"},
        {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG + "\",\"digest\":5,\"size\":3},"
            + "\"layers\":[]}", "config.digest is 5, expected a string such as \"sha256:<64 hex digits>\""},
        {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG + "\",\"digest\":\"sha256:abc\","
            + "\"size\":3},\"layers\":[]}", "config.digest: invalid digest sha256:abc"},
        {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG + "\",\"digest\":\"" + d
            + "\",\"size\":\"3\"},\"layers\":[]}", "config.size is the string \"3\", expected the blob's length"},
        {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG + "\",\"digest\":\"" + d
            + "\",\"size\":3},\"layers\":[\"" + d + "\"]}", "layers[0] is the string \"" + d + "\", expected an object"},
        {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG + "\",\"digest\":\"" + d
            + "\",\"size\":3},\"layers\":{}}", "layers is an object, expected an array of descriptors"},
        {"{\"schemaVersion\":2,\"config\":\"" + d + "\",\"layers\":[]}", "config is the string"},
        {"{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
            + MediaType.OCI_MANIFEST + "\",\"size\":3}]}", "manifests[0] has no digest"},
        {"{\"schemaVersion\":2,\"config\":{\"mediaType\":7,\"digest\":\"" + d + "\",\"size\":3},\"layers\":[]}",
            "config.mediaType is 7, expected a media type"},
    };
    for (String[] c : cases) {
      registry.stubFor(get(urlEqualTo("/v2/app/manifests/v1")).willReturn(aResponse().withBody(c[0])));
      RegistryException e = pullFails("v1");
      assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind(), e.getMessage());
      assertTrue(e.getMessage().startsWith("pull " + ref("app:v1") + ": manifest v1: " + c[1]), c[0] + " -> "
          + e.getMessage());
    }
  }

  @Test
  void aTokenAnswerWithMembersOfTheWrongKindIsRefusedNamingThem() throws Exception {
    TestImage img = TestImage.small(175);
    registry.stubFor(get(urlMatching("/v2/.*")).atPriority(10).willReturn(aResponse().withStatus(401)
        .withHeader("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"test\"")));
    String[][] cases = {
        {"{\"token\":7}", "7", "\"token\": 7, expected the token as a string"},
        {"{\"token\":\"t1\",\"expires_in\":\"300\"}", "t1", "\"expires_in\": \"300\", expected a number of seconds"},
    };
    for (String[] c : cases) {
      // the registry would take the token as the answer gives it: only the answer's shape can refuse it
      registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).atPriority(1)
          .withHeader("Authorization", equalTo("Bearer " + c[1]))
          .willReturn(aResponse().withHeader("Content-Type", img.manifestType.value()).withBody(img.manifest)));
      for (int i = 0; i < img.layers.size(); i++) {
        registry.stubFor(get(urlPathEqualTo("/v2/app/blobs/" + img.layerDescriptors.get(i).digest())).atPriority(1)
            .withHeader("Authorization", equalTo("Bearer " + c[1])).willReturn(aResponse().withBody(img.layers.get(i))));
      }
      registry.stubFor(get(urlPathEqualTo("/v2/app/blobs/" + img.configDescriptor.digest())).atPriority(1)
          .withHeader("Authorization", equalTo("Bearer " + c[1])).willReturn(aResponse().withBody(img.config)));
      registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse()
          .withHeader("Content-Type", "application/json").withBody(c[0])));
      RegistryException e = pullFails("v1");
      assertTrue(e.getMessage().endsWith("token service " + host() + " answered " + c[2]), c[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void aConfigOfTheWrongShapeIsRefusedInItsOwnTerms() throws Exception {
    String[][] cases = {
        {"{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":{}}}", "/rootfs/diff_ids", "expected an array, not JSON Object"},
        {"{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[null]}}", "/rootfs", "diff_ids[0] is null"},
        {"{\"rootfs\":\"layers\"}", "/rootfs", "expected an object, not JSON String"},
        {"{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[{\"empty_layer\":\"yes\"}]}",
            "/history/0/empty_layer", "expected true or false, not JSON String"},
    };
    for (String[] c : cases) {
      byte[] config = c[0].getBytes(StandardCharsets.UTF_8);
      Descriptor cd = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256(config), config.length);
      TestImage.stubBlob(registry, "app", cd.digest(), config);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("schemaVersion", 2);
      m.put("mediaType", MediaType.OCI_MANIFEST.value());
      m.put("config", cd);
      m.put("layers", List.of());
      serve("v1", MediaType.OCI_MANIFEST, m);
      RegistryException e = pullFails("v1");
      assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("config " + cd.digest() + ": invalid JSON at " + c[1])
          && e.getMessage().endsWith(c[2]), c[0] + " -> " + e.getMessage());
    }
  }
}
