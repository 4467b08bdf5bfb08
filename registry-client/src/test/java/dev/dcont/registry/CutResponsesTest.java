package dev.dcont.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Reference;
import dev.dcont.testkit.HubLikeProxy;
import dev.dcont.testkit.RecordingProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A connection cut at any byte of any response of a pull — before the answer, at the first, a middle and the last
 * byte of its body — is tried again (documents) or resumed (blobs), and the pull ends with the image intact:
 * manifest by tag, index, manifest by digest, config, layer (through {@link RecordingProxy} in front of WireMock)
 * and the token answer (through {@link HubLikeProxy}).
 */
class CutResponsesTest extends WireMockSupport {
  static final TestImage IMG = TestImage.small(161);
  static final byte[] INDEX = TestImage.index(MediaType.OCI_INDEX, List.of(IMG.manifestDescriptor()));
  RecordingProxy proxy;

  @BeforeEach
  void serve() throws Exception {
    IMG.stub(registry, "app", "m1");
    TestImage.stubIndex(registry, "app", "v1", MediaType.OCI_INDEX, INDEX);
    proxy = new RecordingProxy(host());
  }

  @AfterEach
  void stopProxy() {
    proxy.close();
  }

  /** What is cut: the tag pulled, a part of the request's path, and the length of the body. */
  static Stream<Arguments> cuts() {
    List<Object[]> kinds = List.of(
        new Object[] {"manifest by tag", "m1", "/manifests/m1", IMG.manifest.length},
        new Object[] {"index", "v1", "/manifests/v1", INDEX.length},
        new Object[] {"manifest by digest", "v1", "/manifests/" + IMG.manifestDigest, IMG.manifest.length},
        new Object[] {"config", "m1", "/blobs/" + IMG.configDescriptor.digest(), IMG.config.length},
        new Object[] {"layer", "m1", "/blobs/" + IMG.layerDescriptors.get(1).digest(), IMG.layers.get(1).length});
    List<Arguments> out = new ArrayList<>();
    for (Object[] k : kinds) {
      int length = (int) k[3];
      for (long at : new long[] {-1, 0, length / 2, length - 1}) {
        out.add(Arguments.of(k[0], k[1], k[2], at));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} cut at byte {3}")
  @MethodSource("cuts")
  void aCutResponseIsTriedAgainAndThePullCompletes(String kind, String tag, String path, long at) throws Exception {
    proxy.cutNext(path, at);
    try (Store store = openStore()) {
      PullResult r = puller(store).pull(Reference.parse(proxy.host() + "/app:" + tag), null, null);
      assertEquals(IMG.manifestDigest, r.image().manifestDigest());
      assertArrayEquals(IMG.config, store.content().readAll(IMG.configDescriptor.digest()));
      for (int i = 0; i < IMG.layers.size(); i++) {
        assertArrayEquals(IMG.layers.get(i), store.content().readAll(IMG.layerDescriptors.get(i).digest()));
      }
      assertTrue(store.images().find(r.ref()).isPresent());
    }
    assertEquals(0, proxy.pendingCuts(), "the " + kind + " was requested and cut");
    assertTrue(proxy.count("GET", path) >= 2, kind + " requested again after the cut: " + proxy.requests());
  }

  @ParameterizedTest(name = "token answer cut at byte {0}")
  @MethodSource("tokenCuts")
  void aCutTokenAnswerIsTriedAgain(long at) throws Exception {
    IMG.stub(registry, "library/busybox", "latest");
    try (HubLikeProxy hub = HubLikeProxy.start(registry.baseUrl()); Store store = openStore()) {
      hub.cutNextToken(at);
      PullResult r = puller(store).pull(Reference.parse(hub.registryHost() + "/library/busybox:latest"), null,
          null);
      assertEquals(IMG.manifestDigest, r.image().manifestDigest());
      assertEquals(2, hub.tokensIssued(), "the cut answer's token, then the one used");
    }
  }

  static Stream<Long> tokenCuts() {
    return Stream.of(0L, 40L, 100L);
  }
}
