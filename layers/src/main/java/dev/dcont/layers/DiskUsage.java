package dev.dcont.layers;

import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dcont system df}: bytes of images, layers and containers, from the sizes the database records
 * (blob sizes from the manifests, unpacked sizes measured once at unpack time) rather than a walk of the
 * store. An image's size is its manifest, config and compressed layer blobs plus its unpacked snapshots;
 * a byte is shared when more than one image uses it. Only container upper directories are walked (they
 * change while a container runs, and are small).
 */
public final class DiskUsage {
  private DiskUsage() { }

  public record ImageUsage(ImageRecord image, List<Reference> tags, long size, long shared, long unique,
      int containers) { }

  public record LayerUsage(Snapshot snapshot, long blobSize, int images, int containers) { }

  public record ContainerUsage(String id, String image, String state, long size) { }

  /** One row of the summary table, as Docker's. */
  public record Summary(String type, int total, int active, long size, long reclaimable) { }

  public record Report(List<ImageUsage> images, List<LayerUsage> layers, List<ContainerUsage> containers,
      List<Summary> summary, long total, long shared, long unique, long reclaimable) { }

  public static Report compute(Store store) {
    RootfsManager rootfs = new RootfsManager(store);
    Snapshotter snapshots = rootfs.snapshotter();
    List<ImageRepository.Named> named = store.images().list();
    Map<ChainId, Snapshot> snaps = snapshots.committed();
    List<RootfsManager.Rootfs> roots = rootfs.list();
    Map<String, Set<ChainId>> containerChains = new HashMap<>();
    for (RootfsManager.Rootfs r : roots) {
      Set<ChainId> chains = new HashSet<>();
      for (Snapshot s : SnapshotTable.stack(snaps, r.topChainId())) {
        chains.add(s.chainId());
      }
      containerChains.put(r.containerId(), chains);
    }

    // items: "b:<digest>" blobs and "s:<chain>" snapshots, with their size and the images using them
    Map<String, Long> size = new HashMap<>();
    Map<String, Set<String>> users = new HashMap<>();
    Map<String, Integer> containersByImage = new HashMap<>();
    for (RootfsManager.Rootfs r : roots) {
      if (r.image() != null) {
        containersByImage.merge(r.image(), 1, Integer::sum);
      }
    }
    Map<ChainId, Long> blobOfChain = new HashMap<>();
    for (ImageRepository.Named n : named) {
      ImageRecord img = n.image();
      String who = img.manifestDigest().toString();
      add(size, users, "b:" + img.manifestDigest(), img.manifestSize(), who);
      add(size, users, "b:" + img.configDigest(), img.configSize(), who);
      for (ImageRecord.Layer l : img.layers()) {
        add(size, users, "b:" + l.digest(), l.size(), who);
        blobOfChain.put(l.chainId(), l.size());
        Snapshot s = snaps.get(l.chainId());
        if (s != null) {
          add(size, users, "s:" + l.chainId(), s.size(), who);
        }
      }
    }
    Set<String> activeImages = containersByImage.keySet();
    List<ImageUsage> images = new ArrayList<>();
    for (ImageRepository.Named n : named) {
      String who = n.image().manifestDigest().toString();
      long total = 0;
      long shared = 0;
      Set<String> seen = new HashSet<>();
      for (Map.Entry<String, Set<String>> e : users.entrySet()) {
        if (e.getValue().contains(who) && seen.add(e.getKey())) {
          long s = size.get(e.getKey());
          total += s;
          if (e.getValue().size() > 1) {
            shared += s;
          }
        }
      }
      images.add(new ImageUsage(n.image(), n.tags(), total, shared, total - shared,
          containersByImage.getOrDefault(who, 0)));
    }
    long total = 0;
    long shared = 0;
    long reclaimImages = 0;
    for (Map.Entry<String, Set<String>> e : users.entrySet()) {
      long s = size.get(e.getKey());
      total += s;
      if (e.getValue().size() > 1) {
        shared += s;
      }
      if (e.getValue().stream().noneMatch(activeImages::contains)) {
        reclaimImages += s;
      }
    }

    Map<ChainId, Integer> imagesPerChain = new HashMap<>();
    for (ImageRepository.Named n : named) {
      for (ImageRecord.Layer l : n.image().layers()) {
        imagesPerChain.merge(l.chainId(), 1, Integer::sum);
      }
    }
    Map<ChainId, Integer> containersPerChain = new HashMap<>();
    for (Set<ChainId> cs : containerChains.values()) {
      cs.forEach(c -> containersPerChain.merge(c, 1, Integer::sum));
    }
    List<LayerUsage> layers = new ArrayList<>();
    long layerSize = 0;
    long layerReclaim = 0;
    int layerActive = 0;
    for (Snapshot s : snaps.values()) {
      int im = imagesPerChain.getOrDefault(s.chainId(), 0);
      int co = containersPerChain.getOrDefault(s.chainId(), 0);
      layers.add(new LayerUsage(s, blobOfChain.getOrDefault(s.chainId(), 0L), im, co));
      layerSize += s.size();
      if (co > 0) {
        layerActive++;
      }
      if (im == 0 && co == 0) {
        layerReclaim += s.size();
      }
    }
    long unreferencedSnapshots = layerReclaim;

    List<ContainerUsage> containers = new ArrayList<>();
    long cSize = 0;
    long cReclaim = 0;
    int cActive = 0;
    for (RootfsManager.Rootfs r : roots) {
      long s = snapshots.usage(r.containerId()).size();
      containers.add(new ContainerUsage(r.containerId(), r.image(), r.state(), s));
      cSize += s;
      if (r.state().equals(RootfsManager.MOUNTED)) {
        cActive++;
      } else {
        cReclaim += s;
      }
    }
    List<Summary> summary = List.of(
        new Summary("Images", named.size(), activeImages.size(), total, reclaimImages),
        new Summary("Layers", snaps.size(), layerActive, layerSize, layerReclaim),
        new Summary("Containers", roots.size(), cActive, cSize, cReclaim));
    long grand = total + unreferencedSnapshots + cSize;
    return new Report(images, layers, containers, summary, grand, shared, grand - shared,
        reclaimImages + unreferencedSnapshots + cReclaim);
  }

  private static void add(Map<String, Long> size, Map<String, Set<String>> users, String item, long bytes,
      String who) {
    size.put(item, bytes);
    users.computeIfAbsent(item, k -> new HashSet<>()).add(who);
  }

  /** Apparent bytes of a tree, hardlinks once; 0 when missing. */
  public static long treeSize(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try {
      return SnapshotStore.measure(dir).size();
    } catch (IOException e) {
      return 0;
    }
  }

}
