package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Reference;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ImagePullerTest extends WireMockSupport {

  static final class Recorder implements PullListener {
    final List<PullEvent> events = new ArrayList<>();

    @Override
    public void event(PullEvent e) {
      events.add(e);
    }

    /** The kinds of event {@code d}'s layer went through, in order, each once. */
    List<Class<?>> kindsOf(Digest d) {
      return events.stream().filter(e -> e instanceof PullEvent.LayerEvent l && l.layer().equals(d))
          .<Class<?>>map(Object::getClass).distinct().toList();
    }

    /** The events that are not about one layer. */
    List<PullEvent> imageEvents() {
      return events.stream().filter(e -> !(e instanceof PullEvent.LayerEvent)).toList();
    }
  }

  @Test
  void pullStoresBlobsAndRecordsTheImageInTheDatabase() throws Exception {
    TestImage img = TestImage.small(1);
    img.stub(registry, "app", "v1");
    Reference ref = ref("app:v1");
    try (Store store = openStore()) {
      Recorder rec = new Recorder();
      PullResult r = puller(store).pull(ref, null, rec);

      assertTrue(r.downloaded());
      assertEquals(img.manifestDigest, r.servedDigest());
      ImageRecord saved = store.images().find(ref).orElseThrow();
      assertEquals(img.manifestDigest, saved.manifestDigest());
      assertEquals(img.configDescriptor.digest(), saved.configDigest());
      assertEquals(2, saved.layers().size());
      List<ChainId> chain = ChainId.of(img.diffIds);
      for (int i = 0; i < 2; i++) {
        ImageRecord.Layer l = saved.layers().get(i);
        assertEquals(i, l.position());
        assertEquals(img.layerDescriptors.get(i).digest(), l.digest());
        assertEquals(img.diffIds.get(i), l.diffId());
        assertEquals(chain.get(i), l.chainId());
        assertArrayEquals(img.layers.get(i), store.content().readAll(l.digest()));
      }
      assertArrayEquals(img.manifest, store.content().readAll(img.manifestDigest));
      assertArrayEquals(img.config, store.content().readAll(img.configDescriptor.digest()));
      assertEquals(img.manifestDigest, store.images().servedDigest(ref, img.manifestDigest).orElseThrow());
      Digest first = img.layerDescriptors.get(0).digest();
      assertEquals(List.of(PullEvent.LayerQueued.class, PullEvent.LayerWaiting.class,
          PullEvent.LayerDownloading.class, PullEvent.LayerVerifying.class, PullEvent.LayerDownloaded.class),
          rec.kindsOf(first));
      PullEvent.LayerDownloading last = rec.events.stream()
          .filter(e -> e instanceof PullEvent.LayerDownloading d && d.layer().equals(first))
          .map(PullEvent.LayerDownloading.class::cast).reduce((a, b) -> b).orElseThrow();
      assertEquals(img.layers.get(0).length, last.complete());
      assertEquals(img.layers.get(0).length, last.total());
      assertEquals(List.of(new PullEvent.PullingFrom("v1", ref.familiarRepository()),
          new PullEvent.Resolved(img.manifestDigest), new PullEvent.Finished(ref.familiarName(), true)),
          rec.imageEvents());
      try (var s = Files.list(store.layout().ingestDir())) {
        assertTrue(s.noneMatch(p -> p.toString().endsWith(".partial")), "no partial files left");
      }
    }
  }

  @Test
  void secondPullOfUnchangedTagMakesExactlyOneManifestRequest() throws Exception {
    TestImage img = TestImage.small(2);
    img.stub(registry, "app", "v1");
    try (Store store = openStore()) {
      puller(store).pull(ref("app:v1"), null, null);
      registry.resetRequests();

      Recorder rec = new Recorder();
      PullResult again = puller(store).pull(ref("app:v1"), null, rec);

      assertFalse(again.downloaded());
      assertEquals(1, registry.getAllServeEvents().size(), "only the manifest request");
      registry.verify(1, getRequestedFor(urlEqualTo("/v2/app/manifests/v1")));
      assertEquals(List.of(new PullEvent.PullingFrom("v1", ref("app:v1").familiarRepository()),
          new PullEvent.Resolved(img.manifestDigest), new PullEvent.Finished(ref("app:v1").familiarName(), false)),
          rec.events);
    }
  }

  @Test
  void pullRefetchesWhenABlobIsMissingAndSaysAlreadyExistsForOthers() throws Exception {
    TestImage img = TestImage.small(3);
    img.stub(registry, "app", "v1");
    try (Store store = openStore()) {
      puller(store).pull(ref("app:v1"), null, null);
      Digest gone = img.layerDescriptors.get(1).digest();
      store.content().delete(gone);
      registry.resetRequests();

      Recorder rec = new Recorder();
      PullResult r = puller(store).pull(ref("app:v1"), null, rec);

      assertTrue(r.downloaded());
      registry.verify(1, getRequestedFor(urlEqualTo("/v2/app/blobs/" + gone)));
      registry.verify(0, getRequestedFor(urlEqualTo("/v2/app/blobs/" + img.layerDescriptors.get(0).digest())));
      assertEquals(List.of(PullEvent.LayerExists.class), rec.kindsOf(img.layerDescriptors.get(0).digest()));
      assertTrue(store.content().exists(gone));
    }
  }

  @Test
  void changedTagIsPulledAgain() throws Exception {
    TestImage v1 = TestImage.small(4);
    v1.stub(registry, "app", "latest");
    try (Store store = openStore()) {
      puller(store).pull(ref("app:latest"), null, null);
      TestImage v2 = TestImage.small(5);
      v2.stub(registry, "app", "latest");
      PullResult r = puller(store).pull(ref("app:latest"), null, null);
      assertTrue(r.downloaded());
      assertEquals(v2.manifestDigest, store.images().find(ref("app:latest")).orElseThrow().manifestDigest());
    }
  }

  @Test
  void pullByDigestChecksTheDigest() throws Exception {
    TestImage img = TestImage.small(6);
    img.stub(registry, "app", "v1");
    try (Store store = openStore()) {
      PullResult r = puller(store).pull(ref("app@" + img.manifestDigest), null, null);
      assertEquals(img.manifestDigest, r.image().manifestDigest());
      TestImage other = TestImage.small(7);
      // the registry answers a digest request with other content
      registry.stubFor(get(urlEqualTo("/v2/app/manifests/" + other.manifestDigest)).willReturn(aResponse()
          .withHeader("Content-Type", MediaType.OCI_MANIFEST.value()).withBody(img.manifest)));
      RegistryException e = assertThrows(RegistryException.class,
          () -> puller(store).pull(ref("app@" + other.manifestDigest), null, null));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
      assertTrue(e.getMessage().startsWith("pull " + ref("app@" + other.manifestDigest) + ": manifest "), e.getMessage());
    }
  }

  @Test
  void missingTagGivesOneLineNotFoundErrorFromTheRegistryBody() throws Exception {
    registry.stubFor(get(urlEqualTo("/v2/nope/manifests/latest")).willReturn(aResponse().withStatus(404)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":\"unknown tag=latest\"}]}")));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> puller(store).pull(ref("nope"), null, null));
      assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
      assertEquals("pull " + host() + "/nope:latest: manifest unknown (does the tag exist?)", e.getMessage());
    }
  }

  @Test
  void configWithWrongNumberOfDiffIdsIsRefused() throws Exception {
    TestImage img = TestImage.small(8);
    // a config claiming one diff_id for the two layers
    byte[] cfg = Json.write(Map.of("architecture", img.platform.architecture(), "os", "linux",
        "rootfs", Map.of("type", "layers", "diff_ids", List.of(img.diffIds.get(0).toString()))));
    Descriptor cd = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256(cfg), cfg.length);
    byte[] manifest = Json.write(Map.of("schemaVersion", 2, "mediaType", MediaType.OCI_MANIFEST.value(),
        "config", cd, "layers", img.layerDescriptors));
    registry.stubFor(get(urlEqualTo("/v2/bad/manifests/latest")).willReturn(aResponse()
        .withHeader("Content-Type", MediaType.OCI_MANIFEST.value()).withBody(manifest)));
    TestImage.stubBlob(registry, "bad", cd.digest(), cfg);
    img.stubBlobs(registry, "bad");
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> puller(store).pull(ref("bad"), null, null));
      assertEquals(RegistryException.Kind.BAD_MANIFEST, e.kind());
      assertTrue(e.getMessage().contains("1 diff_ids for the 2 layers"), e.getMessage());
      assertTrue(store.images().find(ref("bad")).isEmpty());
      registry.verify(0, getRequestedFor(urlMatching("/v2/bad/blobs/" + img.layerDescriptors.get(0).digest())));
    }
  }

  @Test
  void layersAreDownloadedInParallelUpToTheLimit() throws Exception {
    TestImage img = new TestImage(9, 6, 1000, dev.dcont.store.model.Platform.host(), MediaType.DOCKER_MANIFEST);
    img.stub(registry, "par", "latest");
    for (Descriptor l : img.layerDescriptors) {
      registry.stubFor(get(urlEqualTo("/v2/par/blobs/" + l.digest())).willReturn(aResponse()
          .withBody(img.layers.get(img.layerDescriptors.indexOf(l))).withFixedDelay(300)));
    }
    try (Store store = openStore()) {
      // which layers are between their first Downloading and Download complete at the same time
      java.util.Set<Digest> inFlight = new java.util.HashSet<>();
      int[] most = {0};
      PullListener overlap = e -> {
        if (e instanceof PullEvent.LayerDownloading d) {
          inFlight.add(d.layer());
        } else if (e instanceof PullEvent.LayerDownloaded d) {
          inFlight.remove(d.layer());
        }
        most[0] = Math.max(most[0], inFlight.size());
      };
      puller(store, baseOptions().maxConcurrentDownloads(3).build()).pull(ref("par"), null, overlap);
      // every blob answer takes 300 ms, so three downloads are always under way together, never four
      assertEquals(3, most[0], "layers downloading at once");
      assertEquals(6, store.images().find(ref("par")).orElseThrow().layers().size());
      assertEquals(img.layerDescriptors.stream().map(Descriptor::digest).collect(Collectors.toSet()),
          store.images().find(ref("par")).orElseThrow().layers().stream().map(ImageRecord.Layer::digest)
              .collect(Collectors.toSet()));
    }
  }

  @Test
  void twoConcurrentPullsOfTheSameImageBothSucceedAndEachBlobIsWrittenOnce() throws Exception {
    TestImage img = TestImage.small(10);
    img.stub(registry, "same", "latest");
    for (int i = 0; i < img.layers.size(); i++) {
      registry.stubFor(get(urlEqualTo("/v2/same/blobs/" + img.layerDescriptors.get(i).digest()))
          .willReturn(aResponse().withBody(img.layers.get(i)).withFixedDelay(200)));
    }
    try (Store store = openStore()) {
      var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        var a = pool.submit(() -> puller(store).pull(ref("same"), null, null));
        var b = pool.submit(() -> puller(store).pull(ref("same"), null, null));
        PullResult ra = a.get();
        PullResult rb = b.get();
        assertEquals(ra.image().manifestDigest(), rb.image().manifestDigest());
      } finally {
        pool.shutdown();
      }
      for (int i = 0; i < img.layers.size(); i++) {
        assertArrayEquals(img.layers.get(i), store.content().readAll(img.layerDescriptors.get(i).digest()));
        // the second pull waited for the first one's ingest lock instead of downloading again
        registry.verify(1, getRequestedFor(urlEqualTo("/v2/same/blobs/" + img.layerDescriptors.get(i).digest())));
      }
      assertTrue(store.images().find(ref("same")).isPresent());
    }
  }
}
