package dev.dcont.registry;

import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.auth.DockerCredentials;
import dev.dcont.registry.endpoint.BlobUploadEndpoint;
import dev.dcont.registry.endpoint.ManifestPushEndpoint;
import dev.dcont.registry.http.Endpoints;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RegistryTransport;
import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.content.ContentStore;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.ImageIndex;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code dcont push}: puts a stored image into a registry under a tag. For each blob (config and layers, at most
 * {@code maxConcurrentUploads} at once) a {@code HEAD} first ("Layer already exists"), then, when the store knows
 * another repository of the same registry that has it (one the image was pulled from or pushed to), a
 * cross-repository mount, else (or when the registry answers the mount with an upload session) a chunked upload
 * that resumes after a cut; then the manifest, byte for byte as stored (or, when the store has every platform of
 * the index the image was pulled through, each platform's manifest and the index). The pushed repository is
 * recorded as a repository digest of the image, as Docker records it, so that a later push to the same registry
 * mounts from it. Pushes go to the registry itself, never to a mirror.
 */
public final class ImagePusher {
  /** Docker's {@code max-concurrent-uploads}. */
  public static final int DEFAULT_MAX_CONCURRENT_UPLOADS = 5;
  /** The most bytes of a blob one {@code PATCH} carries: most layers go in one. */
  public static final long DEFAULT_CHUNK_SIZE = 64L * 1024 * 1024;

  private final Store store;
  private final RegistryTransport transport;
  private final BlobUploadEndpoint blobs;
  private final int maxConcurrentUploads;

  public ImagePusher(Store store, RegistryOptions options) {
    this(store, new RegistryTransport(options,
        new DockerCredentials(options.credentialsFile(), options.credentialHelperPath())),
        DEFAULT_MAX_CONCURRENT_UPLOADS, DEFAULT_CHUNK_SIZE);
  }

  public ImagePusher(Store store, RegistryTransport transport, int maxConcurrentUploads, long chunkSize) {
    if (maxConcurrentUploads < 1) {
      throw new IllegalArgumentException("at least one upload at a time is needed, not " + maxConcurrentUploads);
    }
    this.store = store;
    this.transport = transport;
    this.blobs = new BlobUploadEndpoint(transport.options(), chunkSize);
    this.maxConcurrentUploads = maxConcurrentUploads;
  }

  /** The registry's answer: the manifest's digest and size under the tag. */
  public record PushResult(Reference ref, Digest digest, long size) { }

  /**
   * Pushes {@code image} as {@code ref} (which names a tag).
   *
   * @throws RegistryException with a message {@code push <ref>: <problem and next step>}
   * @throws StoreException when a blob of the image is missing from the store or cannot be read
   */
  public PushResult push(Reference ref, ImageRecord image, PushListener listener) {
    if (ref.tag() == null || ref.digest() != null) {
      throw new IllegalArgumentException("push " + ref + ": cannot push a digest reference (push a tag)");
    }
    PushListener events = serialised(listener == null ? PushListener.NONE : listener);
    try {
      return doPush(ref, image, events);
    } catch (RegistryException e) {
      throw e.in("push " + ref);
    }
  }

  private PushResult doPush(Reference ref, ImageRecord image, PushListener events) {
    ContentStore content = store.content();
    events.event(new PushEvent.PushingTo(ref.repository()));
    Optional<Index> index = wholeIndex(image, content);
    List<ImageRecord> images = index.map(Index::images).orElse(List.of(image));
    Map<Digest, Long> layers = new LinkedHashMap<>();
    Map<Digest, Long> configs = new LinkedHashMap<>();
    for (ImageRecord img : images) {
      configs.putIfAbsent(img.configDigest(), img.configSize());
      for (int i = img.layers().size() - 1; i >= 0; i--) {
        // as Docker lists them: the top layer first
        ImageRecord.Layer l = img.layers().get(i);
        layers.putIfAbsent(l.digest(), l.size());
      }
    }
    Map<Digest, Path> files = new LinkedHashMap<>();
    configs.forEach((d, size) -> files.put(d, blobFile(content, d, size)));
    for (Map.Entry<Digest, Long> l : layers.entrySet()) {
      files.put(l.getKey(), blobFile(content, l.getKey(), l.getValue()));
      events.event(new PushEvent.LayerPreparing(l.getKey()));
    }

    String repo = ref.path();
    Chosen chosen = choose(ref, image.configDigest());
    RegistryEndpoint ep = chosen.endpoint();
    if (chosen.configExists()) {
      configs.remove(image.configDigest());
    }
    uploadBlobs(ep, ref, configs, image.configDigest(), layers, files, events);
    if (index.isPresent()) {
      // each platform's manifest by its digest, then the index under the tag
      for (ImageRecord img : images) {
        ManifestPushEndpoint.put(ep, repo, img.manifestDigest().toString(), img.manifestMediaType(),
            read(content, img.manifestDigest()), img.manifestDigest());
      }
    }
    Digest top = index.map(Index::digest).orElse(image.manifestDigest());
    byte[] bytes = index.map(Index::bytes).orElseGet(() -> read(content, image.manifestDigest()));
    ManifestPushEndpoint.put(ep, repo, ref.tag(), index.map(Index::mediaType).orElse(image.manifestMediaType()),
        bytes, top);
    store.images().addRepoDigest(ref.repository(), top, image.manifestDigest());
    events.event(new PushEvent.Pushed(ref.tag(), top, bytes.length));
    return new PushResult(ref, top, bytes.length);
  }

  /** A multi-platform index of which the store has every platform's image. */
  private record Index(Digest digest, MediaType mediaType, byte[] bytes, List<ImageRecord> images) { }

  /**
   * The index {@code image} was pulled through, when the store has it and every image it lists (pulled for each
   * platform): then the push is of the whole index, byte for byte, as Docker's containerd store pushes it. Else
   * (the usual case: a pull stores one platform) the image's own manifest is pushed, as Docker's classic store does.
   */
  private Optional<Index> wholeIndex(ImageRecord image, ContentStore content) {
    Optional<Digest> digest = store.images().indexOf(image.manifestDigest());
    if (digest.isEmpty() || !content.exists(digest.get())) {
      return Optional.empty();
    }
    byte[] bytes = read(content, digest.get());
    ImageIndex idx = ImageIndex.parse(bytes, "index " + digest.get());
    List<ImageRecord> images = new ArrayList<>();
    for (Descriptor d : idx.manifests()) {
      Optional<ImageRecord> img = store.images().find(d.digest());
      if (img.isEmpty() || !content.exists(d.digest()) || !content.exists(img.get().configDigest())
          || !img.get().layers().stream().allMatch(l -> content.exists(l.digest()))) {
        return Optional.empty();
      }
      images.add(img.get());
    }
    MediaType type = idx.mediaType() != null ? idx.mediaType() : MediaType.OCI_INDEX;
    return Optional.of(new Index(digest.get(), type, bytes, images));
  }

  /** The endpoint to push to, and whether it has the config blob already. */
  private record Chosen(RegistryEndpoint endpoint, boolean configExists) { }

  /**
   * The first of the registry's own endpoints (HTTPS, then plain HTTP for an insecure one) that answers the
   * {@code HEAD} of the config blob: that request is needed anyway.
   */
  private Chosen choose(Reference ref, Digest configDigest) {
    List<RegistryEndpoint> endpoints = transport.endpoints(ref.domain()).stream().filter(e -> !e.mirror()).toList();
    Endpoints.Answer<Boolean> a = Endpoints.first(endpoints, ep -> blobs.exists(ep, ref.path(), configDigest));
    return new Chosen(a.endpoint(), a.value());
  }


  /**
   * Pushes the layers, at most {@code maxConcurrentUploads} at once, and meanwhile, on a thread of their own, the
   * configs (small: one after the other, without events; {@code missing} is one the registry was asked for).
   */
  private void uploadBlobs(RegistryEndpoint ep, Reference ref, Map<Digest, Long> configs, Digest missing,
      Map<Digest, Long> layers, Map<Digest, Path> files, PushListener events) {
    if (layers.isEmpty() && configs.isEmpty()) {
      return;
    }
    int slots = Math.min(maxConcurrentUploads, layers.size());
    int n = 0;
    for (Digest d : layers.keySet()) {
      if (n++ >= slots) {
        events.event(new PushEvent.LayerWaiting(d));
      }
    }
    List<Callable<Void>> tasks = new ArrayList<>();
    if (!configs.isEmpty()) {
      tasks.add(() -> {
        for (Map.Entry<Digest, Long> c : configs.entrySet()) {
          if (c.getKey().equals(missing) || !blobs.exists(ep, ref.path(), c.getKey())) {
            pushBlob(ep, ref, c.getKey(), c.getValue(), files.get(c.getKey()), null, PushListener.NONE);
          }
        }
        return null;
      });
    }
    for (Map.Entry<Digest, Long> l : layers.entrySet()) {
      Path file = files.get(l.getKey());
      tasks.add(() -> {
        pushBlob(ep, ref, l.getKey(), l.getValue(), file, l.getKey(), events);
        return null;
      });
    }
    Transfers.runAll("dcont-push-" + ref.path(), slots + (configs.isEmpty() ? 0 : 1), tasks, "blob upload");
  }

  /**
   * Puts one blob into the repository: for a layer, nothing when the repository has it (a config's caller has
   * asked); a mount when the store knows another repository of this registry with it; else an upload.
   * {@code layerOrNull}: the layer the events are about (null for a config, which has none).
   */
  private void pushBlob(RegistryEndpoint ep, Reference ref, Digest digest, long size, Path file, Digest layerOrNull,
      PushListener events) {
    String repo = ref.path();
    boolean layer = layerOrNull != null;
    if (layer && blobs.exists(ep, repo, digest)) {
      events.event(new PushEvent.LayerExists(digest));
      return;
    }
    okhttp3.HttpUrl session = null;
    for (String from : store.images().repositoriesWithBlob(digest, ref.domain())) {
      if (from.equals(repo)) {
        continue;
      }
      BlobUploadEndpoint.Mount m;
      try {
        m = blobs.mount(ep, repo, digest, from);
      } catch (RegistryException e) {
        if (e.kind() != Kind.UNAUTHORIZED) {
          throw e;
        }
        // the token service would not give pull on the other repository: upload the blob instead
        break;
      }
      if (m.mounted()) {
        if (layer) {
          events.event(new PushEvent.LayerMounted(digest, from));
        }
        return;
      }
      // the registry could not mount it (the blob is gone there, or not readable with this token): it opened an
      // upload session instead, which the upload uses
      session = m.session();
      break;
    }
    BlobUploadEndpoint.Progress progress = !layer ? BlobUploadEndpoint.Progress.NONE
        : (done, total) -> events.event(new PushEvent.LayerPushing(digest, done, total));
    blobs.upload(ep, repo, digest, size, file, session, progress);
    if (layer) {
      events.event(new PushEvent.LayerPushed(digest));
    }
  }

  private static byte[] read(ContentStore content, Digest d) {
    try {
      return content.readAll(d);
    } catch (IOException e) {
      throw StoreException.io("blob " + d, e);
    }
  }

  /** The stored file of a blob of the image, checked to be there with its recorded size. */
  private static Path blobFile(ContentStore content, Digest d, long size) {
    Path p = content.path(d).orElseThrow(() -> new StoreException("blob " + d
        + " of the image is not in the store (pull the image again)"));
    try {
      long actual = Files.size(p);
      if (actual != size) {
        throw new StoreException("blob " + d + " in the store has " + actual + " bytes, not the " + size
            + " its image records (the store is damaged; pull the image again)");
      }
    } catch (IOException e) {
      throw StoreException.io("blob " + d, e);
    }
    return p;
  }

  private static PushListener serialised(PushListener l) {
    Object lock = new Object();
    return event -> {
      synchronized (lock) {
        l.event(event);
      }
    };
  }
}
