package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.dcont.registry.http.RegistriesConfig;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RegistryTransport;
import dev.dcont.store.Store;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MirrorsAndEndpointsTest extends WireMockSupport {

  List<String> endpoints(String registry) {
    return new RegistryTransport(options, h -> Optional.empty()).endpoints(registry).stream()
        .map(RegistryEndpoint::toString).toList();
  }

  void writeRegistries(String json) throws Exception {
    Files.writeString(tmp.resolve("registries.json"), json);
  }

  static int deadPort() throws Exception {
    try (var s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void schemeFollowsDockersRules() throws Exception {
    writeRegistries("{\"registries\":{\"reg.lan:5000\":{\"insecure\":true},"
        + "\"docker.io\":{\"mirrors\":[\"https://mirror.example.com\",\"localhost:5001\"]}}}");
    assertEquals(List.of("https://reg.example.com/"), endpoints("reg.example.com"));
    // loopback is an insecure registry, as in Docker: unverified HTTPS first, then plain HTTP
    assertEquals(List.of("https://localhost:5000/", "http://localhost:5000/"), endpoints("localhost:5000"));
    assertEquals(List.of("https://127.0.0.2:5000/", "http://127.0.0.2:5000/"), endpoints("127.0.0.2:5000"));
    assertEquals(List.of("https://[::1]:5000/", "http://[::1]:5000/"), endpoints("[::1]:5000"));
    assertEquals(List.of("https://reg.lan:5000/", "http://reg.lan:5000/"), endpoints("reg.lan:5000"));
    assertEquals(List.of("mirror https://mirror.example.com/", "mirror https://localhost:5001/",
        "mirror http://localhost:5001/", "https://registry-1.docker.io/"), endpoints("docker.io"));
  }

  @Test
  void malformedRegistriesConfigIsAClearConfigError() throws Exception {
    RegistryException e = assertThrows(RegistryException.class,
        () -> RegistriesConfig.parse("{\"registries\":{\"x\":{\"mirrors\":\"http://m\"}}}".getBytes(), "test.json"));
    assertEquals(RegistryException.Kind.CONFIG, e.kind());
    assertEquals("registries config test.json: x.mirrors must be a list of URLs", e.getMessage());
  }

  @Test
  void mirrorsAreTriedInOrderThenTheRegistry() throws Exception {
    WireMockServer mirror = new WireMockServer(options().dynamicPort());
    mirror.start();
    try {
      int dead = deadPort();
      writeRegistries("{\"registries\":{\"" + host() + "\":{\"mirrors\":[\"http://127.0.0.1:" + dead
          + "\",\"http://127.0.0.1:" + mirror.port() + "\"]}}}");
      mirror.stubFor(get(urlMatching(".*")).willReturn(aResponse().withStatus(404)
          .withBody("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}")));
      TestImage img = TestImage.small(61);
      img.stub(registry, "app", "v1");
      try (Store store = openStore()) {
        assertTrue(puller(store).pull(ref("app:v1"), null, null).downloaded());
      }
      mirror.verify(1, getRequestedFor(urlEqualTo("/v2/app/manifests/v1")));
      registry.verify(1, getRequestedFor(urlEqualTo("/v2/app/manifests/v1")));
      assertTrue(mirror.getAllServeEvents().get(0).getRequest().getLoggedDate().getTime()
          <= registry.findAll(getRequestedFor(urlEqualTo("/v2/app/manifests/v1"))).get(0).getLoggedDate().getTime());
    } finally {
      mirror.stop();
    }
  }

  @Test
  void aMirrorThatHasTheImageServesAllOfIt() throws Exception {
    WireMockServer mirror = new WireMockServer(options().dynamicPort());
    mirror.start();
    try {
      writeRegistries("{\"registries\":{\"" + host() + "\":{\"mirrors\":[\"127.0.0.1:" + mirror.port() + "\"]}}}");
      TestImage img = TestImage.small(62);
      img.stub(mirror, "app", "v1");
      try (Store store = openStore()) {
        assertTrue(puller(store).pull(ref("app:v1"), null, null).downloaded());
      }
      assertEquals(0, registry.getAllServeEvents().size());
      mirror.verify(4, getRequestedFor(urlMatching("/v2/app/.*")));
    } finally {
      mirror.stop();
    }
  }

  @Test
  void whenAllFailTheRegistrysOwnErrorIsReported() throws Exception {
    writeRegistries("{\"registries\":{\"" + host() + "\":{\"mirrors\":[\"http://127.0.0.1:" + deadPort() + "\"]}}}");
    registry.stubFor(get(urlEqualTo("/v2/app/manifests/v1")).willReturn(aResponse().withStatus(404)));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> puller(store).pull(ref("app:v1"), null, null));
      assertEquals("pull " + ref("app:v1") + ": manifest unknown (does the tag exist?)", e.getMessage());
    }
  }
}
