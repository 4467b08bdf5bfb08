package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.havingExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A push to a token registry asks for a push-scoped token, with the credentials a pull would use. */
class PushAuthTest extends WireMockSupport {
  static final String BASIC = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
  static final String BEARER = "Bearer push-1";

  /** Repository app answers only requests with the push token; the token service hands it out to alice. */
  void tokenRegistry(TestImage img) {
    tokenFor("repository:app:pull,push");
    registry.stubFor(any(urlPathMatching("/v2/app/.*")).atPriority(10).willReturn(aResponse().withStatus(401)
        .withHeader("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"test-registry\"")));
    registry.stubFor(head(urlPathMatching("/v2/app/blobs/sha256:.*")).atPriority(1)
        .withHeader("Authorization", equalTo(BEARER)).willReturn(aResponse().withStatus(404)));
    registry.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).atPriority(1)
        .withHeader("Authorization", equalTo(BEARER))
        .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/app/blobs/uploads/u1")));
    registry.stubFor(patch(urlPathEqualTo("/v2/app/blobs/uploads/u1")).atPriority(1)
        .withHeader("Authorization", equalTo(BEARER))
        .willReturn(aResponse().withStatus(202).withHeader("Location", "/v2/app/blobs/uploads/u1")));
    registry.stubFor(put(urlPathEqualTo("/v2/app/blobs/uploads/u1")).atPriority(1)
        .withQueryParam("digest", matching("sha256:[0-9a-f]{64}"))
        .withHeader("Authorization", equalTo(BEARER)).willReturn(aResponse().withStatus(201)));
    registry.stubFor(put(urlPathEqualTo("/v2/app/manifests/v1")).atPriority(1)
        .withHeader("Authorization", equalTo(BEARER))
        .withHeader("Content-Type", equalTo(img.manifestType.value()))
        .withRequestBody(binaryEqualTo(img.manifest))
        .willReturn(aResponse().withStatus(201).withHeader("Docker-Content-Digest", img.manifestDigest.toString())));
  }

  /** The token service gives the push token to alice for exactly these scopes. */
  void tokenFor(String... scopes) {
    registry.stubFor(get(urlPathEqualTo("/token")).withQueryParam("scope", havingExactly(scopes))
        .withQueryParam("service", equalTo("test-registry")).withHeader("Authorization", equalTo(BASIC))
        .willReturn(aResponse().withHeader("Content-Type", "application/json")
            .withBody("{\"token\":\"push-1\",\"expires_in\":300}")));
  }

  void credentials() throws Exception {
    Path f = tmp.resolve("docker/config.json");
    Files.createDirectories(f.getParent());
    Files.writeString(f, "{\"auths\":{\"" + host() + "\":{\"auth\":\""
        + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
  }

  ImageRecord pullFrom(Store store, String ref) {
    return puller(store).pull(Reference.parse(ref), null, null).image();
  }

  @Test
  void aPushGetsAPullPushTokenWithTheStoredCredentialsAndSendsTheManifestAsStored() throws Exception {
    TestImage img = TestImage.small(21);
    img.stub(registry, "src", "v1");
    tokenRegistry(img);
    credentials();
    try (Store store = openStore()) {
      // pulled under another name of the registry, so that the store knows no repository of it to mount from
      ImageRecord pulled = pullFrom(store, "127.0.0.1:" + registry.port() + "/src:v1");
      ImagePusher.PushResult r = new ImagePusher(store, options).push(ref("app:v1"), pulled, null);
      assertEquals(img.manifestDigest, r.digest());
    }
    registry.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    registry.verify(1, getRequestedFor(urlPathEqualTo("/token"))
        .withQueryParam("scope", havingExactly("repository:app:pull,push")));
    registry.verify(3, putRequestedFor(urlPathEqualTo("/v2/app/blobs/uploads/u1"))
        .withHeader("Authorization", equalTo(BEARER)));
    registry.verify(1, putRequestedFor(urlPathEqualTo("/v2/app/manifests/v1")).withHeader("Authorization",
        equalTo(BEARER)));
  }

  @Test
  void aMountAsksAlsoForPullOnTheRepositoryItMountsFrom() throws Exception {
    TestImage img = TestImage.small(22);
    img.stub(registry, "src", "v1");
    tokenRegistry(img);
    tokenFor("repository:app:pull,push", "repository:src:pull");
    registry.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).atPriority(1)
        .withQueryParam("from", equalTo("src")).withHeader("Authorization", equalTo(BEARER))
        .willReturn(aResponse().withStatus(201)));
    credentials();
    try (Store store = openStore()) {
      ImageRecord pulled = pullFrom(store, host() + "/src:v1");
      new ImagePusher(store, options).push(ref("app:v1"), pulled, null);
    }
    // (config and layers are mounted at once: each may fetch the token before the other has it)
    registry.verify(moreThanOrExactly(1), getRequestedFor(urlPathEqualTo("/token"))
        .withQueryParam("scope", havingExactly("repository:app:pull,push", "repository:src:pull")));
    registry.verify(0, patchRequestedFor(urlPathMatching("/v2/app/.*")));
    registry.verify(3, anyRequestedFor(urlPathEqualTo("/v2/app/blobs/uploads/")).withQueryParam("from",
        equalTo("src")));
  }

  @Test
  void aMountTheRegistryRefusesIsAnUploadInstead() throws Exception {
    TestImage img = TestImage.small(23);
    img.stub(registry, "src", "v1");
    tokenRegistry(img);
    tokenFor("repository:app:pull,push", "repository:src:pull");
    registry.stubFor(post(urlPathEqualTo("/v2/app/blobs/uploads/")).atPriority(1)
        .withQueryParam("from", equalTo("src")).withHeader("Authorization", equalTo(BEARER))
        .willReturn(aResponse().withStatus(403)
            .withBody("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\"}]}")));
    credentials();
    try (Store store = openStore()) {
      ImageRecord pulled = pullFrom(store, host() + "/src:v1");
      assertEquals(img.manifestDigest, new ImagePusher(store, options).push(ref("app:v1"), pulled, null).digest());
    }
    registry.verify(3, anyRequestedFor(urlPathEqualTo("/v2/app/blobs/uploads/")).withQueryParam("from",
        equalTo("src")));
    registry.verify(3, putRequestedFor(urlPathEqualTo("/v2/app/blobs/uploads/u1")));
  }
}
