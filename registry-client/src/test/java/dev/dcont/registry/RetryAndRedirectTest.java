package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.dcont.store.Store;
import dev.dcont.store.model.Descriptor;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryAndRedirectTest extends WireMockSupport {

  /** Manifest by tag answers {@code first} once per listed status, then the real manifest. */
  void manifestAfter(TestImage img, int... statuses) {
    String state = "Started";
    for (int i = 0; i < statuses.length; i++) {
      String next = "s" + i;
      var resp = aResponse().withStatus(statuses[i]);
      if (statuses[i] == 429) {
        resp = resp.withHeader("Retry-After", "2")
            .withBody("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}");
      }
      registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).inScenario("m").whenScenarioStateIs(state)
          .willReturn(resp).willSetStateTo(next));
      state = next;
    }
    registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).inScenario("m").whenScenarioStateIs(state)
        .willReturn(aResponse().withHeader("Content-Type", img.manifestType.value()).withBody(img.manifest)));
    img.stubBlobs(registry, "app");
  }

  @Test
  void serverErrorsAreRetriedWithExponentialBackoff() throws Exception {
    TestImage img = TestImage.small(21);
    manifestAfter(img, 503, 502);
    try (Store store = openStore()) {
      puller(store).pull(ref("app:v1"), null, null);
    }
    registry.verify(3, getRequestedFor(urlPathEqualTo("/v2/app/manifests/v1")));
    assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), sleeper.waits);
  }

  @Test
  void tooManyRequestsWaitsAsRetryAfterSays() throws Exception {
    TestImage img = TestImage.small(22);
    manifestAfter(img, 429);
    try (Store store = openStore()) {
      puller(store).pull(ref("app:v1"), null, null);
    }
    assertEquals(List.of(Duration.ofSeconds(2)), sleeper.waits);
  }

  @Test
  void retryAfterAsHttpDateIsMeasuredAgainstTheClock() throws Exception {
    Instant now = Instant.parse("2025-03-01T12:00:00Z");
    options = baseOptions().clock(new MutableClock(now)).build();
    TestImage img = TestImage.small(23);
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atOffset(ZoneOffset.UTC));
    registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).inScenario("d").whenScenarioStateIs("Started")
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", date)).willSetStateTo("ok"));
    registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).inScenario("d").whenScenarioStateIs("ok")
        .willReturn(aResponse().withHeader("Content-Type", img.manifestType.value()).withBody(img.manifest)));
    img.stubBlobs(registry, "app");
    try (Store store = openStore()) {
      puller(store).pull(ref("app:v1"), null, null);
    }
    assertEquals(List.of(Duration.ofSeconds(7)), sleeper.waits);
  }

  @Test
  void givesUpAfterTheConfiguredNumberOfTries() throws Exception {
    options = baseOptions().maxAttempts(4).build();
    registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).willReturn(aResponse().withStatus(500)
        .withBody("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"database is down\"}]}")));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> puller(store).pull(ref("app:v1"), null, null));
      assertEquals(RegistryException.Kind.SERVER_ERROR, e.kind());
      assertEquals("pull " + ref("app:v1") + ": registry " + host() + " failed with HTTP 500: database is down on each"
          + " of 4 tries; try again later", e.getMessage());
    }
    registry.verify(4, getRequestedFor(urlPathEqualTo("/v2/app/manifests/v1")));
    assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400)), sleeper.waits);
  }

  @Test
  void rateLimitLongerThanTheMaximumWaitFailsAtOnceSayingHowLong() throws Exception {
    registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).willReturn(aResponse().withStatus(429)
        .withHeader("Retry-After", "3600")
        .withBody("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your pull rate limit\"}]}")));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> puller(store).pull(ref("app:v1"), null, null));
      assertEquals(RegistryException.Kind.RATE_LIMITED, e.kind());
      assertTrue(e.getMessage().contains("You have reached your pull rate limit"), e.getMessage());
      assertTrue(e.getMessage().contains("wait 3600 s"), e.getMessage());
    }
    registry.verify(1, getRequestedFor(urlPathEqualTo("/v2/app/manifests/v1")));
    assertTrue(sleeper.waits.isEmpty());
  }

  @Test
  void connectionResetIsRetried() throws Exception {
    TestImage img = TestImage.small(24);
    registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).inScenario("r").whenScenarioStateIs("Started")
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("ok"));
    registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).inScenario("r").whenScenarioStateIs("ok")
        .willReturn(aResponse().withHeader("Content-Type", img.manifestType.value()).withBody(img.manifest)));
    img.stubBlobs(registry, "app");
    try (Store store = openStore()) {
      assertTrue(puller(store).pull(ref("app:v1"), null, null).downloaded());
    }
    assertEquals(1, sleeper.waits.size());
  }

  @Test
  void unreachableRegistryIsNamedWithHostAndPort() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> puller(store).pull(dev.dcont.store.model.Reference.parse("127.0.0.1:" + port + "/x"), null, null));
      assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
      assertTrue(e.getMessage().startsWith("pull 127.0.0.1:" + port + "/x:latest: registry 127.0.0.1:" + port
          + " unreachable"), e.getMessage());
    }
  }

  @Test
  void blobRedirectToAnotherHostCarriesNoAuthorization() throws Exception {
    WireMockServer cdn = new WireMockServer(options().dynamicPort());
    cdn.start();
    try {
      TestImage img = TestImage.small(25);
      registry.stubFor(get(urlMatching("/v2/.*")).atPriority(10).willReturn(aResponse().withStatus(401)
          .withHeader("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"reg\"")));
      registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withBody("{\"token\":\"secret-token\"}")));
      registry.stubFor(get(urlPathEqualTo("/v2/app/manifests/v1")).atPriority(1)
          .withHeader("Authorization", equalTo("Bearer secret-token"))
          .willReturn(aResponse().withHeader("Content-Type", img.manifestType.value()).withBody(img.manifest)));
      List<Descriptor> blobs = new java.util.ArrayList<>(img.layerDescriptors);
      blobs.add(img.configDescriptor);
      for (Descriptor d : blobs) {
        registry.stubFor(get(urlPathEqualTo("/v2/app/blobs/" + d.digest())).atPriority(1)
            .withHeader("Authorization", equalTo("Bearer secret-token"))
            .willReturn(aResponse().withStatus(307)
                .withHeader("Location", "http://127.0.0.1:" + cdn.port() + "/cdn/" + d.digest().hex() + "?sig=abc")));
        byte[] body = d.equals(img.configDescriptor) ? img.config : img.layers.get(img.layerDescriptors.indexOf(d));
        cdn.stubFor(get(urlPathEqualTo("/cdn/" + d.digest().hex())).willReturn(aResponse().withBody(body)));
      }
      try (Store store = openStore()) {
        assertTrue(puller(store).pull(ref("app:v1"), null, null).downloaded());
      }
      cdn.verify(3, getRequestedFor(urlMatching("/cdn/.*")));
      cdn.verify(3, getRequestedFor(urlMatching("/cdn/.*")).withHeader("Authorization", absent()));
      registry.verify(3, getRequestedFor(urlMatching("/v2/app/blobs/.*"))
          .withHeader("Authorization", matching("Bearer secret-token")));
    } finally {
      cdn.stop();
    }
  }
}
