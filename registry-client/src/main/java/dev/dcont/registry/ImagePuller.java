package dev.dcont.registry;

import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.auth.DockerCredentials;
import dev.dcont.registry.endpoint.BlobEndpoint;
import dev.dcont.registry.endpoint.FetchedManifest;
import dev.dcont.registry.endpoint.ManifestEndpoint;
import dev.dcont.registry.http.Endpoints;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RegistryTransport;
import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.content.ContentStore;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.ImageConfig;
import dev.dcont.store.model.ImageIndex;
import dev.dcont.store.model.Manifest;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * {@code dcont pull}: resolves a reference to a platform image in the registry (or its mirrors),
 * stores its index, manifest, config and layers, and, once they are all stored and the caller's
 * {@link LayerTap#stored} has returned (the CLI unpacks there), records it in the database in one
 * transaction: before that the image has no name and is not listed. When the registry serves the digest already recorded for the reference and all
 * blobs are present, it stops after that one manifest request ("Image is up to date").
 * Safe to run in two processes at once: blobs are written through the store's per-blob lock.
 */
public final class ImagePuller {
  private final Store store;
  private final RegistryOptions options;
  private final RegistryTransport transport;
  private final BlobEndpoint blobs;

  public ImagePuller(Store store, RegistryOptions options) {
    this(store, new RegistryTransport(options,
        new DockerCredentials(options.credentialsFile(), options.credentialHelperPath())));
  }

  public ImagePuller(Store store, RegistryTransport transport) {
    this.store = store;
    this.options = transport.options();
    this.transport = transport;
    this.blobs = new BlobEndpoint(options);
  }

  /**
   * Pulls {@code ref}.
   *
   * @param platformOrNull the platform to choose from an index; null for this host's
   * @throws RegistryException with a message {@code pull <ref>: <problem and next step>}
   * @throws StoreException when the store fails (disk full, database)
   */
  public PullResult pull(Reference ref, Platform platformOrNull, PullListener listener) {
    return pull(ref, platformOrNull, listener, LayerTap.NONE);
  }

  /**
   * Pulls {@code ref}, handing the bytes of each layer blob fetched from its first byte to {@code tap} as they
   * arrive (see {@link LayerTap}); the tap's sinks are called from the download threads.
   */
  public PullResult pull(Reference ref, Platform platformOrNull, PullListener listener, LayerTap tap) {
    PullListener events = serialised(listener == null ? PullListener.NONE : listener);
    try {
      return doPull(ref, platformOrNull, events, tap == null ? LayerTap.NONE : tap);
    } catch (RegistryException e) {
      throw e.in("pull " + ref);
    } catch (ImageIndex.NoMatchingPlatformException e) {
      throw new RegistryException(Kind.NOT_FOUND, e.getMessage(), e).in("pull " + ref);
    } catch (IllegalArgumentException e) {
      // the model's parsers reject malformed manifests and configs with a message naming them
      throw new RegistryException(Kind.BAD_MANIFEST, e.getMessage(), e).in("pull " + ref);
    }
  }

  private PullResult doPull(Reference ref, Platform platformOrNull, PullListener events, LayerTap tap) {
    Platform wanted = platformOrNull != null ? platformOrNull.normalised() : Platform.host();
    List<RegistryEndpoint> endpoints = transport.endpoints(ref.domain());
    ContentStore content = store.content();
    events.event(new PullEvent.PullingFrom(ref.digest() != null ? ref.digest().toString() : ref.tag(),
        ref.familiarRepository()));

    Endpoints.Answer<FetchedManifest> top = Endpoints.first(endpoints,
        ep -> ManifestEndpoint.fetch(ep, ref.path(), ref.identifier(), ref.digest()));
    Digest served = top.value().digest();

    Optional<ImageRecord> existing = store.images().find(ref);
    if (existing.isPresent() && upToDate(ref, existing.get(), top.value(), wanted, platformOrNull != null)) {
      tap.stored(existing.get());
      events.event(new PullEvent.Resolved(served));
      events.event(new PullEvent.Finished(ref.familiarName(), false));
      return new PullResult(ref, served, existing.get(), false, Map.of());
    }

    List<RegistryEndpoint> order = Endpoints.preferring(top.endpoint(), endpoints);
    AtomicBoolean downloaded = new AtomicBoolean(false);
    Digest indexDigest = null;
    Platform platform = null;
    FetchedManifest fm = top.value();
    List<FetchedManifest> indexes = new ArrayList<>();
    for (int depth = 0; fm.isIndex(); depth++) {
      if (depth == 2) {
        throw new RegistryException(Kind.BAD_MANIFEST, "index " + fm.digest()
            + " nests indexes more than one level deep; dcont follows one");
      }
      if (indexDigest == null) {
        indexDigest = fm.digest();
      }
      indexes.add(fm);
      Descriptor chosen = PlatformSelector.select(fm.index(), wanted, "index " + fm.digest());
      if (chosen.platform() != null) {
        platform = chosen.platform().normalised();
      }
      FetchedManifest child = Endpoints.first(order,
          ep -> ManifestEndpoint.fetch(ep, ref.path(), chosen.digest().toString(), chosen.digest())).value();
      if (child.size() != chosen.size()) {
        throw new RegistryException(Kind.DIGEST_MISMATCH, "manifest " + chosen.digest() + ": size " + child.size()
            + " != " + chosen.size() + " declared in index " + fm.digest());
      }
      fm = child;
    }
    Manifest manifest = fm.manifest();
    checkImageManifest(fm, manifest);

    Descriptor configDesc = manifest.config();
    if (configDesc.size() > BlobEndpoint.MAX_IN_MEMORY) {
      throw new RegistryException(Kind.BAD_MANIFEST, "manifest " + fm.digest() + ": config " + configDesc.digest()
          + " declares " + configDesc.size() + " bytes, too large for an image config");
    }
    if (fetch(ref, "config", configDesc, order, content, BlobEndpoint.Progress.NONE, () -> null)
        == BlobEndpoint.Outcome.DOWNLOADED) {
      downloaded.set(true);
    }
    byte[] configBytes = readBlob(content, configDesc.digest());
    ImageConfig config = ImageConfig.parse(configBytes, "config " + configDesc.digest());
    if (config.diffIds().size() != manifest.layers().size()) {
      throw new RegistryException(Kind.BAD_MANIFEST, "config " + configDesc.digest() + " lists "
          + config.diffIds().size() + " diff_ids for the " + manifest.layers().size() + " layers of manifest "
          + fm.digest() + " (the image is malformed; push it again)");
    }
    if (platform == null) {
      platform = config.platform();
    }

    for (FetchedManifest idx : indexes) {
      put(content, idx.digest(), idx.bytes(), downloaded);
    }
    put(content, fm.digest(), fm.bytes(), downloaded);

    List<ChainId> chain = ChainId.of(config.diffIds());
    List<ImageRecord.Layer> layers = new ArrayList<>();
    for (int i = 0; i < manifest.layers().size(); i++) {
      Descriptor l = manifest.layers().get(i);
      layers.add(new ImageRecord.Layer(i, l.digest(), config.diffIds().get(i), chain.get(i), l.mediaType(), l.size()));
    }

    downloadLayers(ref, manifest.layers(), layers, order, content, events, downloaded, tap);
    ImageRecord record = new ImageRecord(fm.digest(), fm.mediaType(), fm.size(), configDesc.digest(),
        configDesc.size(), platform, config.created(), options.clock().instant().getEpochSecond(), layers);
    // the image is recorded, and so visible to images and run, only when all it needs is in the store and the
    // caller has done its part (unpacked it); a failure before leaves no name on it
    tap.stored(record);
    Map<Reference, Digest> replaced = store.images().save(record, ref, served, indexDigest);
    events.event(new PullEvent.Resolved(served));
    events.event(new PullEvent.Finished(ref.familiarName(), downloaded.get()));
    return new PullResult(ref, served, record, downloaded.get(), replaced);
  }

  private boolean upToDate(Reference ref, ImageRecord img, FetchedManifest top, Platform wanted, boolean explicit) {
    Digest served = top.digest();
    boolean same = img.manifestDigest().equals(served)
        || store.images().servedDigest(ref, img.manifestDigest()).map(served::equals).orElse(false);
    if (!same) {
      return false;
    }
    if (top.isIndex() && !wanted.matches(img.platform())) {
      return false;
    }
    if (!top.isIndex() && explicit && !wanted.matches(img.platform())) {
      return false;
    }
    ContentStore c = store.content();
    if (!c.exists(served) || !c.exists(img.manifestDigest()) || !c.exists(img.configDigest())) {
      return false;
    }
    return img.layers().stream().allMatch(l -> c.exists(l.digest()));
  }

  private static void checkImageManifest(FetchedManifest fm, Manifest m) {
    MediaType ct = m.config().mediaType();
    if (ct != null && !ct.equals(MediaType.OCI_CONFIG) && !ct.equals(MediaType.DOCKER_CONFIG)) {
      throw new RegistryException(Kind.BAD_MANIFEST, "manifest " + fm.digest() + " is not a container image"
          + " (its config has media type " + ct + ")");
    }
    for (Descriptor l : m.layers()) {
      if (!l.mediaType().isLayer()) {
        throw new RegistryException(Kind.BAD_MANIFEST, "manifest " + fm.digest() + ": layer " + l.digest()
            + " has media type " + l.mediaType() + ", which is not a layer type dcont can unpack");
      }
    }
  }

  private void downloadLayers(Reference ref, List<Descriptor> descriptors, List<ImageRecord.Layer> layers,
      List<RegistryEndpoint> order, ContentStore content, PullListener events, AtomicBoolean downloaded,
      LayerTap tap) {
    Map<Digest, Descriptor> unique = new LinkedHashMap<>();
    Map<Digest, ImageRecord.Layer> firstUse = new LinkedHashMap<>();
    for (int i = 0; i < descriptors.size(); i++) {
      Descriptor l = descriptors.get(i);
      Descriptor prev = unique.putIfAbsent(l.digest(), l);
      firstUse.putIfAbsent(l.digest(), layers.get(i));
      if (prev != null && prev.size() != l.size()) {
        throw new RegistryException(Kind.BAD_MANIFEST, "layer " + l.digest() + " is listed with sizes "
            + prev.size() + " and " + l.size());
      }
    }
    List<Descriptor> todo = new ArrayList<>();
    for (Descriptor l : unique.values()) {
      if (content.exists(l.digest())) {
        checkStoredSize(ref, "layer", l, content);
        events.event(new PullEvent.LayerExists(l.digest()));
      } else {
        events.event(new PullEvent.LayerQueued(l.digest()));
        todo.add(l);
      }
    }
    if (todo.isEmpty()) {
      return;
    }
    for (Descriptor l : todo) {
      events.event(new PullEvent.LayerWaiting(l.digest()));
    }
    List<Callable<Void>> tasks = new ArrayList<>();
    for (Descriptor l : todo) {
      ImageRecord.Layer layer = firstUse.get(l.digest());
      ChainId parent = layer.position() == 0 ? null : layers.get(layer.position() - 1).chainId();
      Supplier<LayerTap.Sink> sink = () -> tap.open(layer, parent);
      tasks.add(() -> {
        downloadLayer(ref, l, order, content, events, downloaded, sink);
        return null;
      });
    }
    Transfers.runAll("dcont-pull-" + ref.path(), Math.min(options.maxConcurrentDownloads(), todo.size()), tasks,
        "layer download");
  }

  private void downloadLayer(Reference ref, Descriptor l, List<RegistryEndpoint> order, ContentStore content,
      PullListener events, AtomicBoolean downloaded, Supplier<LayerTap.Sink> sink) {
    AtomicBoolean verifying = new AtomicBoolean(false);
    BlobEndpoint.Progress progress = (done, total) -> {
      events.event(new PullEvent.LayerDownloading(l.digest(), done, total));
      if (done == total && verifying.compareAndSet(false, true)) {
        events.event(new PullEvent.LayerVerifying(l.digest()));
      }
    };
    BlobEndpoint.Outcome outcome = fetch(ref, "layer", l, order, content, progress, sink);
    if (outcome == BlobEndpoint.Outcome.DOWNLOADED) {
      downloaded.set(true);
    }
    events.event(new PullEvent.LayerDownloaded(l.digest()));
  }

  /**
   * Fetches blob {@code d} into the store (or finds it there, committed meanwhile by another pull), checking that a
   * blob already stored has the size the manifest gives it: the digest names the content, and a manifest that
   * disagrees about its length is wrong.
   */
  private BlobEndpoint.Outcome fetch(Reference ref, String kind, Descriptor d, List<RegistryEndpoint> order,
      ContentStore content, BlobEndpoint.Progress progress, Supplier<LayerTap.Sink> sink) {
    BlobEndpoint.Outcome outcome = content.exists(d.digest()) ? BlobEndpoint.Outcome.ALREADY_PRESENT
        : Endpoints.first(order, ep -> blobs.download(ep, ref.path(), d, content, progress, sink)).value();
    if (outcome == BlobEndpoint.Outcome.ALREADY_PRESENT) {
      checkStoredSize(ref, kind, d, content);
    }
    return outcome;
  }

  private static void checkStoredSize(Reference ref, String kind, Descriptor d, ContentStore content) {
    long stored = content.size(d.digest());
    if (stored >= 0 && stored != d.size()) {
      throw new RegistryException(Kind.DIGEST_MISMATCH, kind + " " + d.digest() + ": the manifest gives size "
          + d.size() + ", but the blob with this digest has " + stored + " bytes (the manifest of " + ref.familiarName()
          + " is wrong; refusing it)");
    }
  }

  private static byte[] readBlob(ContentStore content, Digest d) {
    try {
      return content.readAll(d);
    } catch (IOException e) {
      throw StoreException.io("blob " + d, e);
    }
  }

  private static void put(ContentStore content, Digest d, byte[] bytes, AtomicBoolean downloaded) {
    if (content.putIfAbsent(d, bytes)) {
      downloaded.set(true);
    }
  }

  private static PullListener serialised(PullListener l) {
    Object lock = new Object();
    return event -> {
      synchronized (lock) {
        l.event(event);
      }
    };
  }
}
