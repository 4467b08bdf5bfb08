package dev.dcont.layers;

import dev.dcont.store.Store;
import dev.dcont.store.StoreLayout;
import dev.dcont.store.content.Sha256;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dcont system check}: verifies blob digests and that the database and the disk agree. Each
 * finding is one line saying what is wrong and what to do.
 */
public final class StoreChecker {
  private StoreChecker() { }

  /** {@code problems} make the check fail; {@code notes} are harmless (garbage for prune, layers not unpacked). */
  public record Report(int blobsChecked, int snapshotsChecked, List<String> problems, List<String> notes) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  public static Report check(Store store, boolean verifyBlobContent) {
    StoreLayout layout = store.layout();
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    int blobs = 0;
    Set<Digest> present = new HashSet<>();
    try {
      for (Digest d : store.content().list()) {
        present.add(d);
        blobs++;
        if (verifyBlobContent) {
          Sha256 sha = Sha256.create();
          byte[] buf = new byte[1 << 20];
          try (InputStream in = store.content().open(d)) {
            int n;
            while ((n = in.read(buf)) > 0) {
              sha.update(buf, 0, n);
            }
          }
          Digest actual = sha.digest();
          if (!actual.equals(d)) {
            problems.add("blob " + d + ": content hashes to " + actual + " (corrupt; remove the images using it "
                + "and pull them again)");
          }
        }
      }
    } catch (IOException e) {
      problems.add("blobs in " + layout.blobsDir() + ": cannot read (" + e.getMessage() + ")");
    }
    Set<Digest> referenced = store.images().referencedBlobs();
    for (ImageRepository.Named n : store.images().list()) {
      ImageRecord img = n.image();
      String name = n.tags().isEmpty() ? img.id().shortHex() : n.tags().get(0).familiarName();
      for (Digest d : List.of(img.manifestDigest(), img.configDigest())) {
        if (!present.contains(d)) {
          problems.add("image " + name + ": blob " + d + " is missing (pull the image again)");
        }
      }
      for (ImageRecord.Layer l : img.layers()) {
        if (!present.contains(l.digest())) {
          problems.add("image " + name + ": layer " + l.digest() + " is missing (pull the image again)");
        }
      }
    }
    for (Digest d : present) {
      if (!referenced.contains(d)) {
        notes.add("blob " + d + ": no image uses it ('dcont system prune' removes it)");
      }
    }
    RootfsManager rootfs = new RootfsManager(store);
    Snapshotter snapshots = rootfs.snapshotter();
    Map<ChainId, Snapshot> all = snapshots.committed();
    List<RootfsManager.Rootfs> roots = rootfs.list();
    Set<String> ids = new HashSet<>();
    int snaps = 0;
    for (Snapshot s : all.values()) {
      snaps++;
      ids.add(Long.toString(s.id()));
      if (!Files.isDirectory(s.fs(layout), LinkOption.NOFOLLOW_LINKS)) {
        problems.add("snapshot " + s.chainId() + ": directory " + s.fs(layout) + " is missing (run 'dcont system "
            + "prune', then pull the image again)");
        continue;
      }
      Path link = s.linkPath(layout);
      try {
        if (!Files.isSymbolicLink(link)
            || !link.getParent().resolve(Files.readSymbolicLink(link)).normalize().equals(s.fs(layout))) {
          problems.add("snapshot " + s.chainId() + ": link " + link + " is missing or wrong (run 'dcont system "
              + "prune', then pull the image again)");
        }
      } catch (IOException e) {
        problems.add("snapshot " + s.chainId() + ": link " + link + " is unreadable (" + e.getMessage() + ")");
      }
    }
    // what an image or a container's root uses
    Set<ChainId> used = new HashSet<>(store.images().layerChainIds());
    for (RootfsManager.Rootfs r : roots) {
      SnapshotTable.stack(all, r.topChainId()).forEach(s -> used.add(s.chainId()));
    }
    for (Snapshot s : all.values()) {
      if (!used.contains(s.chainId())) {
        notes.add("snapshot " + s.chainId() + ": no image uses it ('dcont system prune' removes it)");
      }
    }
    try {
      for (Path d : Trees.list(layout.snapshotsDir())) {
        if (!ids.contains(d.getFileName().toString())) {
          notes.add("snapshot directory " + d + ": not in the database, left by an interrupted unpack ('dcont "
              + "system prune' removes it)");
        }
      }
      Set<String> known = new HashSet<>();
      for (RootfsManager.Rootfs r : roots) {
        known.add(r.containerId());
        if (!Files.isDirectory(layout.container(r.containerId()).resolve("upper"))) {
          problems.add("container " + r.containerId().substring(0, 12) + ": upper directory is missing (remove "
              + "the container)");
        }
      }
      for (Path d : Trees.list(layout.containersDir())) {
        if (!known.contains(d.getFileName().toString())) {
          notes.add("container directory " + d + ": no root file system recorded ('dcont system prune' removes it "
              + "when the container is stopped)");
        }
      }
      for (Path p : Trees.list(layout.ingestDir())) {
        if (p.getFileName().toString().endsWith(".partial")) {
          notes.add("download " + p.getFileName() + ": partial ('dcont system prune' removes it unless a pull is "
              + "writing it)");
        }
      }
    } catch (IOException e) {
      problems.add("store " + layout.root() + ": cannot list (" + e.getMessage() + ")");
    }
    for (ImageRepository.Named n : store.images().list()) {
      for (ImageRecord.Layer l : n.image().layers()) {
        if (!all.containsKey(l.chainId())) {
          notes.add("image " + n.image().id().shortHex() + ": layer " + l.position() + " is not unpacked (it is "
              + "unpacked when the image is run)");
          break;
        }
      }
    }
    return new Report(blobs, snaps, problems, notes);
  }
}
