package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.testkit.HubLikeProxy;
import dev.dcont.store.content.IngestWriter;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Docker-Hub-like proxy in front of WireMock, and dcont's pull through it. */
class HubLikeProxyTest extends WireMockSupport {
  HubLikeProxy hub;
  TestImage img;

  @BeforeEach
  void startHub() throws Exception {
    hub = HubLikeProxy.start(registry.baseUrl());
    img = TestImage.small(81);
    img.stub(registry, "library/busybox", "latest");
  }

  @AfterEach
  void stopHub() {
    hub.close();
  }

  Reference hubRef() {
    return Reference.parse(hub.registryHost() + "/library/busybox:latest");
  }

  @Test
  void pullGoesThroughTokenAuthAndTheCdnWithoutLeakingTheToken() throws Exception {
    try (Store store = openStore()) {
      PullResult r = puller(store).pull(hubRef(), null, null);
      assertTrue(r.downloaded());
      assertEquals(img.manifestDigest, r.image().manifestDigest());
      assertArrayEquals(img.layers.get(1), store.content().readAll(img.layerDescriptors.get(1).digest()));
    }
    assertEquals(1, hub.tokensIssued());
    assertEquals(3, hub.cdnRequests.get(), hub.log.toString());
    assertEquals(0, hub.cdnRequestsWithAuthorization.get(), hub.log.toString());
  }

  @Test
  void theProxyRefusesUnauthenticatedAndCdnRequestsWithAuthorization() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var noToken = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://" + hub.registryHost() + "/v2/library/busybox/manifests/latest")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(401, noToken.statusCode());
    assertTrue(noToken.headers().firstValue("WWW-Authenticate").orElseThrow()
        .contains("scope=\"repository:library/busybox:pull\""));
    var withAuth = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + hub.cdnPort()
        + "/cdn/library/busybox/" + img.configDescriptor.digest())).header("Authorization", "Bearer x").build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(400, withAuth.statusCode());
  }

  @Test
  void injectedRateLimitIsWaitedOut() throws Exception {
    hub.inject429(2, "3");
    try (Store store = openStore()) {
      assertTrue(puller(store).pull(hubRef(), null, null).downloaded());
    }
    assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(3)), sleeper.waits);
  }

  @Test
  void privateRepositoryNeedsTheLoginFromTheDockerConfig() throws Exception {
    hub.requireLogin("carol", "pw");
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> puller(store).pull(hubRef(), null, null));
      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      Files.createDirectories(tmp.resolve("docker"));
      Files.writeString(tmp.resolve("docker/config.json"), "{\"auths\":{\"" + hub.registryHost() + "\":{\"auth\":\""
          + Base64.getEncoder().encodeToString("carol:pw".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
      assertTrue(puller(store).pull(hubRef(), null, null).downloaded());
    }
  }

  @Test
  void interruptedLayerResumesThroughTheCdnWithARange() throws Exception {
    Descriptor layer = img.layerDescriptors.get(0);
    byte[] body = img.layers.get(0);
    registry.stubFor(get(urlPathEqualTo("/v2/library/busybox/blobs/" + layer.digest())).atPriority(1)
        .withHeader("Range", equalTo("bytes=1000-"))
        .willReturn(aResponse().withStatus(206)
            .withHeader("Content-Range", "bytes 1000-" + (body.length - 1) + "/" + body.length)
            .withBody(Arrays.copyOfRange(body, 1000, body.length))));
    try (Store store = openStore()) {
      try (IngestWriter w = store.content().open(layer.digest(), layer.size()).orElseThrow()) {
        w.write(body, 0, 1000);
      }
      assertTrue(puller(store).pull(hubRef(), null, null).downloaded());
      assertArrayEquals(body, store.content().readAll(layer.digest()));
    }
    assertTrue(hub.log.stream().anyMatch(l -> l.startsWith("cdn GET /cdn/library/busybox/" + layer.digest())
        && l.endsWith("range=bytes=1000-")), hub.log.toString());
    registry.verify(1, getRequestedFor(urlPathEqualTo("/v2/library/busybox/blobs/" + layer.digest()))
        .withHeader("Range", equalTo("bytes=1000-")));
  }
}
