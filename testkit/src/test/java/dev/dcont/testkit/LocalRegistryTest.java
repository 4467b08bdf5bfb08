package dev.dcont.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.store.model.Digest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LocalRegistryTest {
  static LocalRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.start();
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  private static HttpResponse<byte[]> get(String path, String accept) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(registry.uri(path)).header("Accept", accept).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void pushedImagesOfEveryKindAreServedBackByteForByte() throws Exception {
    byte[] tar = new TarBuilder().file("hello.txt", "hello").build();
    TestImage gz = TestImage.builder().layer(tar, Layer.Compression.GZIP).build();
    TestImage zst = TestImage.builder().layer(tar, Layer.Compression.ZSTD).build();
    TestImage docker = TestImage.builder().docker().layer(tar, Layer.Compression.GZIP).build();
    TestIndex index = TestIndex.of(true, List.of(
        TestImage.builder().platform("linux/amd64").layer(tar, Layer.Compression.GZIP).build(),
        TestImage.builder().platform("linux/arm64").layer(tar, Layer.Compression.NONE).build()));
    registry.push("t/gz", "1", gz);
    registry.push("t/zst", "1", zst);
    registry.push("t/docker", "1", docker);
    registry.push("t/multi", "1", index);
    String all = "application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,"
        + "application/vnd.docker.distribution.manifest.v2+json,"
        + "application/vnd.docker.distribution.manifest.list.v2+json";
    assertEquals(gz.manifestDigest(), Digest.sha256(get("/v2/t/gz/manifests/1", all).body()));
    assertEquals(zst.manifestDigest(), Digest.sha256(get("/v2/t/zst/manifests/1", all).body()));
    assertEquals(docker.manifestDigest(), Digest.sha256(get("/v2/t/docker/manifests/1", all).body()));
    assertEquals(index.digest(), Digest.sha256(get("/v2/t/multi/manifests/1", all).body()));
    byte[] blob = get("/v2/t/zst/blobs/" + zst.layers().get(0).digest(), "*/*").body();
    assertEquals(zst.layers().get(0).digest(), Digest.sha256(blob));
  }
}
