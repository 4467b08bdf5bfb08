package dev.dcont.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.registry.http.RegistryTransport;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Reference;
import dev.dcont.testkit.CuttingProxy;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.TarBuilder;
import dev.dcont.testkit.TestImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes against the real docker-registry on loopback, some through a proxy that records and cuts requests. */
class ImagePusherTest {
  static LocalRegistry source;
  static LocalRegistry target;
  static TestImage image;
  static String pulled;

  @TempDir
  Path tmp;

  @BeforeAll
  static void setUp() throws Exception {
    source = LocalRegistry.start();
    target = LocalRegistry.start();
    Random random = new Random(16);
    byte[] big = new byte[600_000];
    random.nextBytes(big);
    byte[] small = new byte[1000];
    random.nextBytes(small);
    image = TestImage.builder()
        .layer(new TarBuilder().file("big.bin", big, 0644).build(), Layer.Compression.GZIP)
        .layer(new TarBuilder().file("small.bin", small, 0644).build(), Layer.Compression.GZIP)
        .build();
    pulled = source.push("src/app", "1", image);
  }

  @AfterAll
  static void tearDown() {
    source.close();
    target.close();
  }

  RegistryOptions options() {
    return RegistryOptions.builder()
        .credentialsFile(tmp.resolve("docker/config.json"))
        .registriesConfig(tmp.resolve("registries.json"))
        .certsDirs(List.of(tmp.resolve("certs.d")))
        .credentialHelperPath(List.of())
        .sleeper(new RecordingSleeper())
        .backoffBase(Duration.ofMillis(10))
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** A store holding the test image, pulled from the source registry. */
  Store storeWithImage(String name) {
    Store store = Store.open(tmp.resolve(name));
    new ImagePuller(store, options()).pull(Reference.parse(pulled), null, null);
    return store;
  }

  ImagePusher pusher(Store store, long chunkSize) {
    return new ImagePusher(store, new RegistryTransport(options(), host -> Optional.empty()), 5, chunkSize);
  }

  static ImageRecord stored(Store store) {
    return store.images().find(Reference.parse(pulled)).orElseThrow();
  }

  /** Pulls {@code ref} into a new, empty store: what the registry holds is the image, by digest. */
  void pullsBackTheSameImage(String ref) {
    try (Store other = Store.open(tmp.resolve("other-" + System.nanoTime()))) {
      PullResult r = new ImagePuller(other, options()).pull(Reference.parse(ref), null, null);
      assertEquals(image.manifestDigest(), r.image().manifestDigest());
      for (Layer l : image.layers()) {
        assertTrue(other.content().exists(l.digest()), "layer " + l.digest() + " pulled back");
      }
    }
  }

  static List<String> layerLines(List<PushEvent> events) {
    List<String> out = new ArrayList<>();
    for (PushEvent e : events) {
      if (e instanceof PushEvent.LayerEvent l && !(e instanceof PushEvent.LayerPushing)) {
        out.add(l.layer().shortHex() + " " + e.getClass().getSimpleName()
            + (e instanceof PushEvent.LayerMounted m ? " " + m.from() : ""));
      }
    }
    return out;
  }

  @Test
  void aPushUploadsEveryBlobInChunksThenTheManifestAsStoredAndASecondPushFindsTheLayers() throws Exception {
    try (Store store = storeWithImage("s"); CuttingProxy proxy = new CuttingProxy(target.host())) {
      Reference ref = Reference.parse(proxy.host() + "/dst/app:2");
      List<PushEvent> events = new ArrayList<>();
      ImagePusher.PushResult result = pusher(store, 256 * 1024).push(ref, stored(store), events::add);
      assertEquals(image.manifestDigest(), result.digest());
      assertEquals(image.manifest().length, result.size());
      String big = image.layers().get(0).digest().shortHex();
      String small = image.layers().get(1).digest().shortHex();
      assertEquals(List.of(small + " LayerPreparing", big + " LayerPreparing", small + " LayerPushed",
          big + " LayerPushed"), layerLines(events).stream().sorted((a, b) -> rank(a) - rank(b)).toList());
      assertEquals(new PushEvent.PushingTo(proxy.host() + "/dst/app"), events.get(0));
      assertEquals(new PushEvent.Pushed("2", image.manifestDigest(), image.manifest().length),
          events.get(events.size() - 1));
      // the big layer (about 600 kB of random bytes) went in 256 KiB chunks with their Content-Range, the last one
      // in the PUT that closes the upload
      List<CuttingProxy.Request> chunks = proxy.requests().stream().filter(r -> r.bodyBytes() > 2000
          && (r.method().equals("PATCH") || r.method().equals("PUT") && r.path().contains("/blobs/"))).toList();
      List<String> ranges = chunks.stream().map(CuttingProxy.Request::contentRange).toList();
      assertEquals("0-262143", ranges.get(0), ranges.toString());
      assertEquals("262144-524287", ranges.get(1), ranges.toString());
      assertEquals(3, ranges.size(), ranges.toString());
      assertEquals(List.of("PATCH", "PATCH", "PUT"), chunks.stream().map(CuttingProxy.Request::method).toList());
      // the config and the small layer, each within a chunk: a POST and the PUT that carries the blob, no PATCH
      assertEquals(2, proxy.requests().stream().filter(r -> r.method().equals("PATCH")).count(),
          proxy.requests().toString());
      assertEquals(4, proxy.requests().stream().filter(r -> r.method().equals("PUT")).count(),
          "three blobs and the manifest, and nothing else: " + proxy.requests());
      pullsBackTheSameImage(target.host() + "/dst/app:2");
      assertTrue(store.images().repositoriesWithBlob(image.layers().get(0).digest(), proxy.host())
          .contains("dst/app"), "the pushed repository is recorded for later mounts");

      events.clear();
      pusher(store, 256 * 1024).push(ref, stored(store), events::add);
      assertEquals(List.of(small + " LayerPreparing", big + " LayerPreparing", small + " LayerExists",
          big + " LayerExists"), layerLines(events).stream().sorted((a, b) -> rank(a) - rank(b)).toList());
    }
  }

  /** Preparing before anything else, then in order. */
  private static int rank(String line) {
    return (line.contains("Preparing") ? 0 : 10) + (line.startsWith(image.layers().get(1).digest().shortHex()) ? 0 : 1);
  }

  @Test
  void aBlobTheStoreKnowsInAnotherRepositoryOfTheRegistryIsMountedNotUploaded() throws Exception {
    try (Store store = storeWithImage("s"); CuttingProxy proxy = new CuttingProxy(source.host())) {
      // the image came from src/app of the source registry: through the proxy it is the same registry
      ImageRecord img = stored(store);
      store.images().addRepoDigest(proxy.host() + "/src/app", img.manifestDigest(), img.manifestDigest());
      List<PushEvent> events = new ArrayList<>();
      pusher(store, ImagePusher.DEFAULT_CHUNK_SIZE).push(Reference.parse(proxy.host() + "/copy/app:1"), img,
          events::add);
      for (Layer l : image.layers()) {
        assertTrue(events.contains(new PushEvent.LayerMounted(l.digest(), "src/app")), events.toString());
        assertTrue(proxy.requests().stream().anyMatch(r -> r.method().equals("POST")
            && r.path().contains("mount=" + l.digest().toString().replace(":", "%3A"))
            && r.path().contains("from=src%2Fapp")), proxy.requests().toString());
      }
      assertEquals(0, proxy.requests().stream().filter(r -> r.method().equals("PATCH")).count(),
          "nothing uploaded: " + proxy.requests());
      pullsBackTheSameImage(source.host() + "/copy/app:1");
    }
  }

  @Test
  void aMountTheRegistryCannotMakeFallsBackToTheUploadItOpened() throws Exception {
    try (Store store = storeWithImage("s"); CuttingProxy proxy = new CuttingProxy(target.host())) {
      ImageRecord img = stored(store);
      // the store believes ghost/app of the target has the image; the registry has no such repository
      store.images().addRepoDigest(proxy.host() + "/ghost/app", img.manifestDigest(), img.manifestDigest());
      List<PushEvent> events = new ArrayList<>();
      pusher(store, ImagePusher.DEFAULT_CHUNK_SIZE).push(Reference.parse(proxy.host() + "/fallback/app:1"), img,
          events::add);
      for (Layer l : image.layers()) {
        assertTrue(events.contains(new PushEvent.LayerPushed(l.digest())), events.toString());
      }
      long mounts = proxy.requests().stream().filter(r -> r.path().contains("mount=")).count();
      long starts = proxy.requests().stream().filter(r -> r.method().equals("POST") && !r.path().contains("mount="))
          .count();
      assertEquals(3, mounts, "config and both layers tried: " + proxy.requests());
      assertEquals(0, starts, "each upload went on in the session the mount answer opened: " + proxy.requests());
      pullsBackTheSameImage(target.host() + "/fallback/app:1");
    }
  }

  @Test
  void aConnectionCutInTheMiddleOfAChunkIsResumedAndThePushCompletes() throws Exception {
    try (Store store = storeWithImage("s"); CuttingProxy proxy = new CuttingProxy(target.host())) {
      proxy.cutRequestBody("PUT", 300_000);
      Reference ref = Reference.parse(proxy.host() + "/cut/app:1");
      Digest pushed = pusher(store, ImagePusher.DEFAULT_CHUNK_SIZE).push(ref, stored(store), null).digest();
      assertEquals(image.manifestDigest(), pushed);
      assertEquals(1, proxy.cuts(), proxy.requests().toString());
      List<CuttingProxy.Request> after = proxy.requests();
      int cut = 0;
      while (!after.get(cut).cut()) {
        cut++;
      }
      String session = after.get(cut).path().split("\\?")[0];
      // after the cut: the session's status is asked for (docker-registry drops an upload cut mid-chunk, so a new
      // session follows), and the blob goes up whole
      assertTrue(after.subList(cut + 1, after.size()).stream().anyMatch(r -> r.method().equals("GET")
          && r.path().startsWith(session)), after.toString());
      pullsBackTheSameImage(target.host() + "/cut/app:1");
    }
  }
}
