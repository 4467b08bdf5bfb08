package dev.dcont.layers.archive;

import dev.dcont.layers.ImageUnpacker;
import dev.dcont.layers.SnapshotStore;
import dev.dcont.layers.Snapshotter;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.content.ContentStore;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.ImageConfig;
import dev.dcont.store.model.Manifest;
import dev.dcont.store.model.MediaType;
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

  /**
   * A loaded image, the names it was given (none: it is known by its ID) and the names among them that named
   * another image before, each with that image's ID.
   */
  public record Loaded(ImageRecord image, List<Reference> names, Map<Reference, Digest> renamed) { }

  private final Store store;
  private final ContentStore content;
  private final ImageUnpacker.Listener listener;

  public ImageArchiveLoader(Store store) {
    this(store, ImageUnpacker.Listener.NONE);
  }

  /** {@code listener} hears of each layer's unpack, whether from the archive as it is read or from its blob. */
  public ImageArchiveLoader(Store store, ImageUnpacker.Listener listener) {
    this.store = store;
    this.content = store.content();
    this.listener = listener;
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
          ImageUnpacker unpacker = new ImageUnpacker(store, listener)) {
        ArchiveSource src = null;
        try {
          src = open.apply(new StreamingTap(unpacker, feeds, added));
          List<ArchivedImages.Plan> plans = new ArchivedImages(content).plans(src);
          List<ImageRecord> records = new ArrayList<>();
          for (ArchivedImages.Plan p : plans) {
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

  private Loaded record(ImageRecord image, List<Reference> names) {
    if (names.isEmpty()) {
      store.images().saveUntagged(image);
    }
    Map<Reference, Digest> renamed = new LinkedHashMap<>();
    for (Reference name : names) {
      store.images().save(image, name, null, null).forEach((taken, before) -> {
        // the old image keeps its record (listed as <none> when nothing else names it), as Docker's load leaves it;
        // one with the same ID is the same image to the user, and is not reported
        store.images().find(before).map(ImageRecord::id).filter(id -> !id.equals(image.id()))
            .ifPresent(id -> renamed.put(taken, id));
      });
    }
    return new Loaded(image, names, renamed);
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


  /** Checks the plan's config and layers against its manifest, stores manifest and config, and makes its record. */
  private ImageRecord link(ArchivedImages.Plan p, ArchiveSource src, Set<Digest> added) {
    Manifest m = p.manifest();
    String what = "manifest " + p.manifestDigest();
    Descriptor cd = m.config();
    byte[] config = p.config() != null ? p.config() : src.document(ArchivedImages.blobPath(cd.digest()));
    if (config == null) {
      throw new ArchiveException(what + " names config " + cd.digest() + ", which the archive does not contain");
    }
    ArchivedImages.checkBytes(config, cd, what);
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
    if (content.putIfAbsent(d, bytes)) {
      added.add(d);
    }
  }
}
