package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.dcont.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AuthFlowTest extends WireMockSupport {
  static final String SCOPE = "repository:app:pull";

  /** Registry requests need "Bearer <token>"; anything else gets the Bearer challenge. */
  void requireBearer(String token) {
    registry.stubFor(get(urlMatching("/v2/.*")).atPriority(10).willReturn(aResponse().withStatus(401)
        .withHeader("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"test-registry\",scope=\""
            + SCOPE + "\"")
        .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")));
    TestImage img = TestImage.small(11);
    for (MappingBuilder m : stubsFor(img)) {
      registry.stubFor(m.atPriority(1).withHeader("Authorization", equalTo("Bearer " + token)));
    }
  }

  java.util.List<MappingBuilder> stubsFor(TestImage img) {
    java.util.List<MappingBuilder> out = new java.util.ArrayList<>();
    out.add(get(urlPathEqualTo("/v2/app/manifests/v1")).willReturn(aResponse()
        .withHeader("Content-Type", img.manifestType.value()).withBody(img.manifest)));
    out.add(get(urlPathEqualTo("/v2/app/blobs/" + img.configDescriptor.digest())).willReturn(aResponse().withBody(img.config)));
    for (int i = 0; i < img.layers.size(); i++) {
      out.add(get(urlPathEqualTo("/v2/app/blobs/" + img.layerDescriptors.get(i).digest()))
          .willReturn(aResponse().withBody(img.layers.get(i))));
    }
    return out;
  }

  void writeDockerConfig(String json) throws Exception {
    Path f = tmp.resolve("docker/config.json");
    Files.createDirectories(f.getParent());
    Files.writeString(f, json);
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anonymousTokenFlowFetchesATokenForTheRepositoryScope() throws Exception {
    requireBearer("anon-1");
    registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse()
        .withHeader("Content-Type", "application/json").withBody("{\"token\":\"anon-1\",\"expires_in\":300}")));
    try (Store store = openStore()) {
      puller(store).pull(ref("app:v1"), null, null);
    }
    registry.verify(getRequestedFor(urlPathEqualTo("/token"))
        .withQueryParam("service", equalTo("test-registry"))
        .withQueryParam("scope", equalTo(SCOPE))
        .withHeader("Authorization", absent()));
    // the token is remembered: one 401 and one token request for the whole pull (manifest, config, 2 layers)
    assertEquals(1, registry.findAll(getRequestedFor(urlPathEqualTo("/token"))).size());
    registry.verify(4, getRequestedFor(urlMatching("/v2/app/.*")).withHeader("Authorization", equalTo("Bearer anon-1")));
  }

  @Test
  void credentialsFromDockerConfigGoAsBasicToTheRealmAndAccessTokenIsAccepted() throws Exception {
    writeDockerConfig("{\"auths\":{\"" + host() + "\":{\"auth\":\"" + b64("alice:s3cret") + "\"}}}");
    requireBearer("alice-token");
    registry.stubFor(get(urlPathEqualTo("/token")).atPriority(1)
        .withHeader("Authorization", equalTo("Basic " + b64("alice:s3cret")))
        .willReturn(aResponse().withBody("{\"access_token\":\"alice-token\"}")));
    registry.stubFor(get(urlPathEqualTo("/token")).atPriority(5).willReturn(aResponse().withStatus(401)
        .withBody("{\"details\":\"incorrect username or password\"}")));
    try (Store store = openStore()) {
      puller(store).pull(ref("app:v1"), null, null);
    }
    registry.verify(getRequestedFor(urlPathEqualTo("/token")).withQueryParam("account", equalTo("alice")));
    // the password goes to the token realm only, never with registry API requests
    registry.verify(0, getRequestedFor(urlMatching("/v2/.*")).withHeader("Authorization", equalTo("Basic " + b64("alice:s3cret"))));
  }

  @Test
  void wrongPasswordIsUnauthorizedWithTheRealmsMessage() throws Exception {
    writeDockerConfig("{\"auths\":{\"" + host() + "\":{\"username\":\"alice\",\"password\":\"wrong\"}}}");
    requireBearer("never");
    registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(401)
        .withBody("{\"details\":\"incorrect username or password\"}")));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> puller(store).pull(ref("app:v1"), null, null));
      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertTrue(e.getMessage().contains("incorrect username or password"), e.getMessage());
      assertTrue(e.getMessage().startsWith("pull " + ref("app:v1") + ": login to "), e.getMessage());
    }
  }

  @Test
  void expiredTokenIsRefreshedAndValidOneReused() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    options = baseOptions().clock(clock).build();
    requireBearer("t");
    // no expires_in: the token spec's default of 60 s applies
    registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withBody("{\"token\":\"t\"}")));
    try (Store store = openStore()) {
      ImagePuller p = puller(store);
      p.pull(ref("app:v1"), null, null);
      assertEquals(1, registry.findAll(getRequestedFor(urlPathEqualTo("/token"))).size());
      clock.advance(Duration.ofSeconds(30));
      p.pull(ref("app:v1"), null, null);
      assertEquals(1, registry.findAll(getRequestedFor(urlPathEqualTo("/token"))).size(), "still valid at 30 s");
      clock.advance(Duration.ofSeconds(31));
      p.pull(ref("app:v1"), null, null);
      assertEquals(2, registry.findAll(getRequestedFor(urlPathEqualTo("/token"))).size(), "expired at 61 s");
    }
  }

  @Test
  void cachedTokenRejectedByTheRegistryIsReplaced() throws Exception {
    requireBearer("t1");
    registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withBody("{\"token\":\"t1\",\"expires_in\":3600}")));
    try (Store store = openStore()) {
      ImagePuller p = puller(store);
      p.pull(ref("app:v1"), null, null);
      // the registry revokes t1 long before its expiry
      registry.resetAll();
      requireBearer("t2");
      registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withBody("{\"token\":\"t2\",\"expires_in\":3600}")));
      p.pull(ref("app:v1"), null, null);
      registry.verify(1, getRequestedFor(urlPathEqualTo("/token")));
      registry.verify(getRequestedFor(urlPathEqualTo("/v2/app/manifests/v1")).withHeader("Authorization", equalTo("Bearer t1")));
      registry.verify(getRequestedFor(urlPathEqualTo("/v2/app/manifests/v1")).withHeader("Authorization", equalTo("Bearer t2")));
    }
  }

  @Test
  void basicAuthRegistryGetsBasicCredentials() throws Exception {
    writeDockerConfig("{\"auths\":{\"http://" + host() + "/v2/\":{\"username\":\"bob\",\"password\":\"pw\"}}}");
    registry.stubFor(get(urlMatching("/v2/.*")).atPriority(10).willReturn(aResponse().withStatus(401)
        .withHeader("WWW-Authenticate", "Basic realm=\"Registry Realm\"")));
    for (MappingBuilder m : stubsFor(TestImage.small(12))) {
      registry.stubFor(m.atPriority(1).withHeader("Authorization", equalTo("Basic " + b64("bob:pw"))));
    }
    try (Store store = openStore()) {
      PullResult r = puller(store).pull(ref("app:v1"), null, null);
      assertTrue(r.downloaded());
    }
  }

  @Test
  void basicAuthRegistryWithoutCredentialsSaysLogin() throws Exception {
    registry.stubFor(get(urlMatching("/v2/.*")).willReturn(aResponse().withStatus(401)
        .withHeader("WWW-Authenticate", "Basic realm=\"Registry Realm\"")
        .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> puller(store).pull(ref("app:v1"), null, null));
      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertEquals("pull " + ref("app:v1") + ": authentication required by " + host()
          + " (does the repository exist? if it is private, run 'dcont login " + host() + "')", e.getMessage());
    }
  }
}
