package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A small image with random layer bytes (the registry client never unpacks them), and WireMock stubs serving it. */
final class TestImage {
  final List<byte[]> layers = new ArrayList<>();
  final List<Descriptor> layerDescriptors = new ArrayList<>();
  final List<Digest> diffIds = new ArrayList<>();
  final byte[] config;
  final Descriptor configDescriptor;
  final byte[] manifest;
  final Digest manifestDigest;
  final MediaType manifestType;
  final Platform platform;

  TestImage(long seed, int layerCount, int layerSize, Platform platform, MediaType manifestType) {
    this.platform = platform;
    this.manifestType = manifestType;
    Random r = new Random(seed);
    boolean oci = manifestType.equals(MediaType.OCI_MANIFEST);
    for (int i = 0; i < layerCount; i++) {
      byte[] b = new byte[layerSize + i];
      r.nextBytes(b);
      layers.add(b);
      layerDescriptors.add(new Descriptor(oci ? MediaType.OCI_LAYER_GZIP : MediaType.DOCKER_LAYER_GZIP,
          Digest.sha256(b), b.length));
      diffIds.add(Digest.sha256("diff " + seed + " " + i));
    }
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("architecture", platform.architecture());
    cfg.put("os", platform.os());
    if (platform.variant() != null) {
      cfg.put("variant", platform.variant());
    }
    cfg.put("created", "2024-01-0" + (1 + seed % 9) + "T00:00:00Z");
    cfg.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds.stream().map(Digest::toString).toList()));
    cfg.put("config", Map.of("Cmd", List.of("/bin/sh")));
    config = Json.write(cfg);
    configDescriptor = new Descriptor(oci ? MediaType.OCI_CONFIG : MediaType.DOCKER_CONFIG,
        Digest.sha256(config), config.length);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    m.put("mediaType", manifestType.value());
    m.put("config", configDescriptor);
    m.put("layers", layerDescriptors);
    manifest = Json.write(m);
    manifestDigest = Digest.sha256(manifest);
  }

  static TestImage small(long seed) {
    return new TestImage(seed, 2, 3000, Platform.host(), MediaType.OCI_MANIFEST);
  }

  Descriptor manifestDescriptor() {
    return new Descriptor(manifestType, manifestDigest, manifest.length, null, null, platform, null);
  }

  /** Serves the manifest by tag and digest, the config and the layers. */
  void stub(WireMockServer wm, String repo, String tag) {
    stubManifest(wm, repo, tag);
    stubManifest(wm, repo, manifestDigest.toString());
    stubBlobs(wm, repo);
  }

  void stubManifest(WireMockServer wm, String repo, String ref) {
    wm.stubFor(get(urlEqualTo("/v2/" + repo + "/manifests/" + ref)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", manifestType.value())
        .withHeader("Docker-Content-Digest", manifestDigest.toString())
        .withBody(manifest)));
  }

  void stubBlobs(WireMockServer wm, String repo) {
    stubBlob(wm, repo, configDescriptor.digest(), config);
    for (int i = 0; i < layers.size(); i++) {
      stubBlob(wm, repo, layerDescriptors.get(i).digest(), layers.get(i));
    }
  }

  static void stubBlob(WireMockServer wm, String repo, Digest d, byte[] body) {
    wm.stubFor(get(urlEqualTo("/v2/" + repo + "/blobs/" + d)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/octet-stream").withBody(body)));
  }

  /** An index over the given images, with optional extra raw entries (attestations…). */
  static byte[] index(MediaType type, List<Descriptor> entries) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    m.put("mediaType", type.value());
    m.put("manifests", entries);
    return Json.write(m);
  }

  static void stubIndex(WireMockServer wm, String repo, String ref, MediaType type, byte[] body) {
    wm.stubFor(get(urlEqualTo("/v2/" + repo + "/manifests/" + ref)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", type.value()).withBody(body)));
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
