package dev.dcont.layers.archive;

import dev.dcont.layers.ImageUnpacker;
import dev.dcont.layers.SnapshotStore;
import dev.dcont.layers.Snapshotter;
import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.content.ContentStore;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.ImageConfig;
import dev.dcont.store.model.ImageIndex;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.Manifest;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code dcont load}: the images of a docker-archive (the old layout, {@code <id>/layer.tar} and
 * {@code manifest.json}, and Docker 25's, which is also an OCI layout), an oci-archive or an OCI layout
 * directory. Every blob goes through the store's ingest and is checked against its digest (an old archive's
 * layers are hashed as they are stored, and the manifest they lack is made from them: an OCI manifest with
 * the config as it is, so the image ID stays), every layer is unpacked by {@link ImageUnpacker} as a pull's,
 * and the images are recorded, with their names, only when all of that is done. A refused archive leaves the
 * store as it was: the blobs it added are taken out again, and so are the snapshots (by the unpacker).
 */
public final class ImageArchiveLoader {
  /** The names Docker's and containerd's writers give an image in index.json. */
  public static final String IMAGE_NAME = "io.containerd.image.name";
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  /** A loaded image and the names it was given (none: it is known by its ID). */
  public record Loaded(ImageRecord image, List<Reference> names) { }

  /** One image found in the archive, checked, before its blobs are linked into a record. */
  private record Plan(Digest manifestDigest, MediaType mediaType, byte[] manifestBytes, Manifest manifest,
      byte[] config, List<String> layerPaths, Set<Reference> names) { }

  private final Store store;
  private final ContentStore content;

  public ImageArchiveLoader(Store store) {
    this.store = store;
    this.content = store.content();
  }

  /**
   * Loads the archive read from {@code in} (a tar, plain or gzip). A layer whose image is known before its blob
   * arrives (dcont's save puts the documents first) is unpacked while it is read, as a pull unpacks a download.
   */
  public List<Loaded> load(InputStream in) {
    return load(tap -> TarSource.read(in, content, tap.added, tap));
  }

  /** Loads the OCI image layout in the directory {@code dir}. */
  public List<Loaded> load(Path dir) {
    return load(tap -> new DirectorySource(dir, content));
  }

  private List<Loaded> load(Function<StreamingTap, ArchiveSource> open) {
    Set<Digest> added = new LinkedHashSet<>();
    List<ImageUnpacker.Feed> feeds = new ArrayList<>();
    boolean done = false;
    try {
      // the unpacker closes (its feeds ended) before the lock is released
      try (StoreLocks.Held lock = StoreLocks.shared(store.layout());
          ImageUnpacker unpacker = new ImageUnpacker(store, ImageUnpacker.Listener.NONE)) {
        ArchiveSource src = null;
        try {
          src = open.apply(new StreamingTap(unpacker, feeds, added));
          List<Plan> plans = plans(src);
          List<ImageRecord> records = new ArrayList<>();
          for (Plan p : plans) {
            records.add(link(p, src, added));
          }
          for (ImageRecord r : records) {
            unpacker.unpack(r);
          }
          List<Loaded> out = new ArrayList<>();
          for (int i = 0; i < plans.size(); i++) {
            out.add(record(records.get(i), List.copyOf(plans.get(i).names())));
          }
          done = true;
          return out;
        } finally {
          if (src != null) {
            added.addAll(src.added());
          }
        }
      }
    } finally {
      if (!done) {
        takeOut(added, feeds);
      }
    }
  }

  /**
   * Unpacks a layer blob of the archive while it is read, when the documents read before it name it: index.json,
   * the manifest and the config of its image. What it finds is checked again, in full, after the archive is read;
   * a snapshot it made for an archive that is then refused is taken out with the refused load's blobs.
   */
  private static final class StreamingTap implements TarSource.LayerTap {
    private final ImageUnpacker unpacker;
    private final List<ImageUnpacker.Feed> feeds;
    final Set<Digest> added;
    private Map<Digest, Known> layers = Map.of();
    private int documentsSeen = -1;

    /** A layer the documents describe, and the chain ID of the layer below it (null for the base). */
    private record Known(ImageRecord.Layer layer, ChainId parent) { }

    StreamingTap(ImageUnpacker unpacker, List<ImageUnpacker.Feed> feeds, Set<Digest> added) {
      this.unpacker = unpacker;
      this.feeds = feeds;
      this.added = added;
    }

    @Override
    public ImageUnpacker.Feed open(TarSource source, Digest blob, long size) {
      if (source.documentCount() != documentsSeen) {
        documentsSeen = source.documentCount();
        layers = layersKnown(source);
      }
      Known known = layers.remove(blob);
      if (known == null || known.layer().size() != size) {
        return null;
      }
      ImageUnpacker.Feed feed = unpacker.stream(known.layer(), known.parent());
      if (feed != null) {
        feeds.add(feed);
      }
      return feed;
    }

    /** The layers (with their parent's chain ID) of the images the documents read so far describe. */
    private static Map<Digest, Known> layersKnown(TarSource source) {
      Map<Digest, Known> out = new LinkedHashMap<>();
      byte[] index = source.documentSoFar("index.json");
      if (index == null) {
        return out;
      }
      try {
        for (Descriptor d : ImageIndex.parse(index, "index.json").manifests()) {
          byte[] mb = source.documentSoFar(blobPath(d.digest()));
          if (mb == null || d.mediaType() == null || !d.mediaType().isManifest()) {
            continue;
          }
          Manifest m = Manifest.parse(mb, "manifest " + d.digest());
          byte[] cb = source.documentSoFar(blobPath(m.config().digest()));
          if (cb == null) {
            continue;
          }
          List<Digest> diffIds = ImageConfig.parse(cb, "config " + m.config().digest()).diffIds();
          if (diffIds.size() != m.layers().size()) {
            continue;
          }
          List<ChainId> chain = ChainId.of(diffIds);
          for (int i = 0; i < diffIds.size(); i++) {
            Descriptor l = m.layers().get(i);
            if (l.mediaType().isLayer()) {
              l.mediaType().compression();
              out.putIfAbsent(l.digest(), new Known(new ImageRecord.Layer(i, l.digest(), diffIds.get(i),
                  chain.get(i), l.mediaType(), l.size()), i == 0 ? null : chain.get(i - 1)));
            }
          }
        }
      } catch (RuntimeException e) {
        return Map.of(); // the full check after the archive is read says what is wrong
      }
      return out;
    }
  }

  private Loaded record(ImageRecord image, List<Reference> names) {
    if (names.isEmpty()) {
      store.images().saveUntagged(image);
    }
    for (Reference name : names) {
      store.images().save(image, name, null, null);
    }
    return new Loaded(image, names);
  }

  /**
   * Takes out the snapshots this load's feeds made and the blobs it added that no image uses (none, unless another
   * load or pull took them meanwhile).
   */
  private void takeOut(Set<Digest> added, List<ImageUnpacker.Feed> feeds) {
    if (added.isEmpty() && feeds.isEmpty()) {
      return;
    }
    try (StoreLocks.Held lock = StoreLocks.exclusive(store.layout())) {
      SnapshotStore snapshots = SnapshotStore.of(store);
      for (int i = feeds.size() - 1; i >= 0; i--) {
        ImageUnpacker.Feed f = feeds.get(i);
        if (f.result().isPresent()) {
          ChainId chain = f.layer().chainId();
          try {
            snapshots.removeUnless(chain.toString(), () -> store.images().layerChainIds().contains(chain));
          } catch (Snapshotter.InUseException inUse) {
            // something stacks on it by now: it stays, for prune
          }
        }
      }
      Set<Digest> keep = store.images().referencedBlobs();
      for (Digest d : added) {
        if (!keep.contains(d)) {
          content.delete(d);
        }
      }
    } catch (IOException | RuntimeException e) {
      // what is left is unreferenced, and 'dcont system prune' removes it; the refusal is what is reported
    }
  }

  /** The images the archive holds, in the order it lists them; a manifest listed twice is one image. */
  private List<Plan> plans(ArchiveSource src) {
    byte[] index = src.document("index.json");
    byte[] dockerManifest = src.document("manifest.json");
    List<Plan> plans;
    if (index != null) {
      plans = ociPlans(src, index, dockerManifest == null ? Map.of() : repoTags(dockerManifest));
    } else if (dockerManifest != null) {
      plans = dockerPlans(src, dockerManifest);
    } else {
      throw new ArchiveException("not an image archive: it has neither manifest.json nor index.json (expected"
          + " what docker save, podman save or skopeo write)");
    }
    if (plans.isEmpty()) {
      throw new ArchiveException("the archive lists no image");
    }
    return plans;
  }

  private List<Plan> ociPlans(ArchiveSource src, byte[] indexBytes, Map<String, List<Reference>> repoTags) {
    ImageIndex index = ImageIndex.parse(indexBytes, "index.json");
    Map<Digest, Plan> plans = new LinkedHashMap<>();
    for (Descriptor listed : index.manifests()) {
      Descriptor d = listed;
      if (d.mediaType() != null && d.mediaType().isIndex()) {
        ImageIndex nested = ImageIndex.parse(blobDocument(src, d, "index.json"), "index " + d.digest());
        d = nested.select(Platform.host(), "index " + d.digest());
      } else if (ImageIndex.isAttestation(d) || (d.mediaType() != null && !d.mediaType().isManifest())) {
        continue;
      }
      byte[] bytes = blobDocument(src, d, "index.json");
      Manifest m = Manifest.parse(bytes, "manifest " + d.digest());
      MediaType type = d.mediaType() != null ? d.mediaType() : m.mediaType() != null ? m.mediaType()
          : MediaType.OCI_MANIFEST;
      Plan p = plans.get(d.digest());
      if (p == null) {
        List<String> layerPaths = m.layers().stream().map(l -> blobPath(l.digest())).toList();
        p = new Plan(d.digest(), type, bytes, m, null, layerPaths, new LinkedHashSet<>());
        plans.put(d.digest(), p);
      }
      Reference name = annotatedName(listed);
      if (name != null) {
        p.names().add(name);
      }
      p.names().addAll(repoTags.getOrDefault(pathsOf(m), List.of()));
    }
    return new ArrayList<>(plans.values());
  }

  /** The name index.json gives an entry: containerd's full name, else a reference name that is one. */
  private static Reference annotatedName(Descriptor d) {
    String full = d.annotation(IMAGE_NAME);
    String ref = full != null ? full : d.annotation(REF_NAME);
    // a bare tag ("latest", as oci:DIR:latest writes) names no repository
    if (ref == null || (full == null && !ref.contains("/") && !ref.contains(":"))) {
      return null;
    }
    try {
      Reference r = Reference.parse(ref);
      return r.tag() != null ? r.withTag(r.tag()) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * manifest.json's RepoTags by the image each entry is (its config and layer paths: two images may share a
   * config), for a layout that has both (Docker 25's).
   */
  private static Map<String, List<Reference>> repoTags(byte[] manifestJson) {
    Map<String, List<Reference>> out = new LinkedHashMap<>();
    for (Map<?, ?> item : items(manifestJson)) {
      List<String> paths = new ArrayList<>();
      paths.add(ArchivePaths.clean(string(item, "Config"), "manifest.json's Config"));
      if (item.get("Layers") instanceof List<?> layers) {
        for (Object l : layers) {
          paths.add(ArchivePaths.clean(Json.text(l, ""), "manifest.json's layer"));
        }
      }
      out.computeIfAbsent(String.join("\n", paths), k -> new ArrayList<>()).addAll(names(item));
    }
    return out;
  }

  /** The key of {@link #repoTags} for manifest {@code m} of an OCI layout. */
  private static String pathsOf(Manifest m) {
    List<String> paths = new ArrayList<>();
    paths.add(blobPath(m.config().digest()));
    m.layers().forEach(l -> paths.add(blobPath(l.digest())));
    return String.join("\n", paths);
  }

  private List<Plan> dockerPlans(ArchiveSource src, byte[] manifestJson) {
    List<Plan> plans = new ArrayList<>();
    for (Map<?, ?> item : items(manifestJson)) {
      String configPath = ArchivePaths.clean(string(item, "Config"), "manifest.json's Config");
      byte[] config = src.document(configPath);
      if (config == null) {
        throw new ArchiveException("manifest.json names config " + ArchivePaths.printable(configPath)
            + ", which the archive does not contain");
      }
      Digest configDigest = Digest.sha256(config);
      String named = configPath.startsWith("blobs/sha256/") ? configPath.substring("blobs/sha256/".length())
          : configPath.endsWith(".json") ? configPath.substring(0, configPath.length() - 5) : null;
      if (named != null && named.matches("[a-f0-9]{64}") && !configDigest.hex().equals(named)) {
        throw new ArchiveException("archive entry " + configPath + ": its content has digest " + configDigest
            + ", not the one its name gives (the archive is corrupt or was changed)");
      }
      ImageConfig parsed = ImageConfig.parse(config, "config " + configPath);
      Object layersValue = item.get("Layers");
      if (!(layersValue instanceof List<?> paths)) {
        throw new ArchiveException("manifest.json: an entry has no Layers list");
      }
      if (parsed.diffIds().size() != paths.size()) {
        throw new ArchiveException("manifest.json lists " + paths.size() + " layers for config " + configPath
            + ", which has " + parsed.diffIds().size() + " diff_ids (the archive is malformed)");
      }
      List<Descriptor> layers = new ArrayList<>();
      List<String> layerPaths = new ArrayList<>();
      for (int i = 0; i < paths.size(); i++) {
        String path = ArchivePaths.clean(Json.text(paths.get(i), ""), "manifest.json's layer");
        Digest d = src.blob(path, null).orElseThrow(() -> new ArchiveException("manifest.json names layer "
            + ArchivePaths.printable(path) + ", which the archive does not contain"));
        MediaType.Compression c = compression(d);
        if (c == MediaType.Compression.NONE && !d.equals(parsed.diffIds().get(i))) {
          throw new ArchiveException("layer " + ArchivePaths.printable(path) + ": its content has digest " + d
              + " but the config says diff_id " + parsed.diffIds().get(i) + " (the archive is corrupt)");
        }
        MediaType type = switch (c) {
          case NONE -> MediaType.OCI_LAYER;
          case GZIP -> MediaType.OCI_LAYER_GZIP;
          case ZSTD -> MediaType.OCI_LAYER_ZSTD;
        };
        layers.add(new Descriptor(type, d, content.size(d)));
        layerPaths.add(path);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("schemaVersion", 2);
      m.put("mediaType", MediaType.OCI_MANIFEST.value());
      m.put("config", descriptor(new Descriptor(MediaType.OCI_CONFIG, configDigest, config.length)));
      m.put("layers", layers.stream().map(ImageArchiveLoader::descriptor).toList());
      byte[] bytes = Json.write(m);
      plans.add(new Plan(Digest.sha256(bytes), MediaType.OCI_MANIFEST, bytes, Manifest.parse(bytes, "manifest"),
          config, layerPaths, new LinkedHashSet<>(names(item))));
    }
    return plans;
  }

  private static Map<String, Object> descriptor(Descriptor d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mediaType", d.mediaType().value());
    m.put("digest", d.digest().toString());
    m.put("size", d.size());
    return m;
  }

  private MediaType.Compression compression(Digest d) {
    try (InputStream in = content.open(d)) {
      byte[] head = in.readNBytes(4);
      if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
        return MediaType.Compression.GZIP;
      }
      if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
          && (head[3] & 0xff) == 0xfd) {
        return MediaType.Compression.ZSTD;
      }
      return MediaType.Compression.NONE;
    } catch (IOException e) {
      throw StoreException.io("blob " + d, e);
    }
  }

  private static List<Map<?, ?>> items(byte[] manifestJson) {
    Object v = Json.readAny(manifestJson, "manifest.json");
    if (!(v instanceof List<?> list)) {
      throw new ArchiveException("manifest.json is not a list of images (the archive is malformed)");
    }
    List<Map<?, ?>> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new ArchiveException("manifest.json lists something that is not an image (the archive is malformed)");
      }
      out.add(m);
    }
    return out;
  }

  private static String string(Map<?, ?> item, String key) {
    Object v = item.get(key);
    if (!(v instanceof String s) || s.isEmpty()) {
      throw new ArchiveException("manifest.json: an entry has no " + key + " (the archive is malformed)");
    }
    return s;
  }

  private static List<Reference> names(Map<?, ?> item) {
    Object v = item.get("RepoTags");
    List<Reference> out = new ArrayList<>();
    if (v instanceof List<?> tags) {
      for (Object t : tags) {
        String s = Json.text(t, "");
        try {
          Reference r = Reference.parse(s);
          if (r.tag() != null) {
            out.add(r.withTag(r.tag()));
          }
        } catch (IllegalArgumentException e) {
          throw new ArchiveException("manifest.json: RepoTags " + ArchivePaths.printable(s) + ": " + e.getMessage());
        }
      }
    }
    return out;
  }

  static String blobPath(Digest d) {
    return "blobs/" + d.algorithm() + "/" + d.hex();
  }

  /** A manifest or index the descriptor {@code d} (listed in {@code where}) names, checked against it. */
  private static byte[] blobDocument(ArchiveSource src, Descriptor d, String where) {
    byte[] bytes = src.document(blobPath(d.digest()));
    if (bytes == null) {
      throw new ArchiveException(where + " names " + d.digest() + ", which the archive does not contain");
    }
    checkBytes(bytes, d, where);
    return bytes;
  }

  private static void checkBytes(byte[] bytes, Descriptor d, String where) {
    if (bytes.length != d.size()) {
      throw new ArchiveException("blob " + d.digest() + ": size " + bytes.length + " != " + d.size()
          + " declared in " + where);
    }
    Digest actual = Digest.sha256(bytes);
    if (!actual.equals(d.digest())) {
      throw new ArchiveException("blob " + d.digest() + ": its content has digest " + actual
          + " (the archive is corrupt or was changed)");
    }
  }

  /** Checks the plan's config and layers against its manifest, stores manifest and config, and makes its record. */
  private ImageRecord link(Plan p, ArchiveSource src, Set<Digest> added) {
    Manifest m = p.manifest();
    String what = "manifest " + p.manifestDigest();
    Descriptor cd = m.config();
    byte[] config = p.config() != null ? p.config() : src.document(blobPath(cd.digest()));
    if (config == null) {
      throw new ArchiveException(what + " names config " + cd.digest() + ", which the archive does not contain");
    }
    checkBytes(config, cd, what);
    MediaType ct = cd.mediaType();
    if (ct != null && !ct.equals(MediaType.OCI_CONFIG) && !ct.equals(MediaType.DOCKER_CONFIG)) {
      throw new ArchiveException(what + " is not a container image (its config has media type " + ct + ")");
    }
    ImageConfig parsed = ImageConfig.parse(config, "config " + cd.digest());
    if (parsed.diffIds().size() != m.layers().size()) {
      throw new ArchiveException("config " + cd.digest() + " lists " + parsed.diffIds().size() + " diff_ids for the "
          + m.layers().size() + " layers of " + what + " (the image is malformed)");
    }
    List<ChainId> chain = ChainId.of(parsed.diffIds());
    List<ImageRecord.Layer> layers = new ArrayList<>();
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor l = m.layers().get(i);
      if (!l.mediaType().isLayer()) {
        throw new ArchiveException(what + ": layer " + l.digest() + " has media type " + l.mediaType()
            + ", which is not a layer type dcont can unpack");
      }
      l.mediaType().compression();
      String path = p.layerPaths().get(i);
      Optional<Digest> stored = src.blob(path, l.digest());
      if (stored.isEmpty()) {
        throw new ArchiveException(what + " names layer " + l.digest() + ", which the archive does not contain");
      }
      long size = content.size(l.digest());
      if (size != l.size()) {
        throw new ArchiveException("layer " + l.digest() + ": size " + size + " != " + l.size() + " declared in "
            + what);
      }
      layers.add(new ImageRecord.Layer(i, l.digest(), parsed.diffIds().get(i), chain.get(i), l.mediaType(), l.size()));
    }
    put(p.manifestDigest(), p.manifestBytes(), added);
    put(cd.digest(), config, added);
    return new ImageRecord(p.manifestDigest(), p.mediaType(), p.manifestBytes().length, cd.digest(), cd.size(),
        parsed.platform(), parsed.created(), java.time.Instant.now().getEpochSecond(), layers);
  }

  private void put(Digest d, byte[] bytes, Set<Digest> added) {
    if (content.exists(d)) {
      return;
    }
    try {
      content.put(d, bytes);
    } catch (IOException e) {
      throw StoreException.io("blob " + d, e);
    }
    added.add(d);
  }
}
