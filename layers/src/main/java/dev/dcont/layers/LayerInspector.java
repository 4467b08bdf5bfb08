package dev.dcont.layers;

import com.github.luben.zstd.ZstdInputStream;
import dev.dcont.layers.tar.TarEntry;
import dev.dcont.layers.tar.TarReader;
import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.ImageConfig;
import dev.dcont.store.model.MediaType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Read-only views of an image's layers: sizes and history ({@code dcont layers}, {@code dcont history}) and
 * the files each layer adds, changes and deletes with the bytes later layers hide ({@code dcont diff}),
 * read from the layer blobs; no container, no mount, no daemon.
 */
public final class LayerInspector {
  private final Store store;
  private final Snapshotter snapshots;

  public LayerInspector(Store store) {
    this.store = store;
    this.snapshots = SnapshotStore.of(store);
  }

  /** One layer with its sizes and the history entry that made it; unpacked figures are null if not unpacked. */
  public record LayerInfo(int index, Digest digest, Digest diffId, ChainId chainId, MediaType mediaType,
      long compressedSize, Long unpackedSize, Long files, String created, String createdBy) { }

  /** One history entry as {@code docker history} shows it; {@code size} is null for empty layers. */
  public record HistoryRow(String created, String createdBy, String comment, boolean emptyLayer, Long size,
      Integer layerIndex) { }

  public ImageConfig config(ImageRecord image) {
    try {
      return ImageConfig.parse(store.content().readAll(image.configDigest()), "config " + image.configDigest());
    } catch (IOException e) {
      throw StoreException.io("config " + image.configDigest(), e);
    }
  }

  public List<LayerInfo> layers(ImageRecord image) {
    List<HistoryRow> hist = history(image);
    List<LayerInfo> out = new ArrayList<>();
    Map<ChainId, Snapshot> all = snapshots.committed();
    for (ImageRecord.Layer l : image.layers()) {
      HistoryRow h = hist.stream().filter(r -> r.layerIndex() != null && r.layerIndex() == l.position())
          .findFirst().orElse(null);
      Snapshot s = all.get(l.chainId());
      out.add(new LayerInfo(l.position(), l.digest(), l.diffId(), l.chainId(), l.mediaType(), l.size(),
          s == null ? null : s.size(), s == null ? null : s.files(), h == null ? null : h.created(),
          h == null ? null : h.createdBy()));
    }
    return out;
  }

  /** History entries, oldest first, with the layer each non-empty entry made and its unpacked size. */
  public List<HistoryRow> history(ImageRecord image) {
    ImageConfig cfg = config(image);
    Map<ChainId, Snapshot> all = snapshots.committed();
    List<HistoryRow> out = new ArrayList<>();
    int layer = 0;
    for (ImageConfig.History h : cfg.history()) {
      if (h.isEmptyLayer()) {
        out.add(new HistoryRow(h.created(), h.createdBy(), h.comment(), true, 0L, null));
      } else {
        Long size = null;
        Integer idx = null;
        if (layer < image.layers().size()) {
          idx = layer;
          Snapshot s = all.get(image.layers().get(layer).chainId());
          size = s == null ? null : s.size();
        }
        out.add(new HistoryRow(h.created(), h.createdBy(), h.comment(), false, size, idx));
        layer++;
      }
    }
    for (; layer < image.layers().size(); layer++) {
      Snapshot s = all.get(image.layers().get(layer).chainId());
      out.add(new HistoryRow(null, null, null, false, s == null ? null : s.size(), layer));
    }
    return out;
  }

  /** What a layer does to one path. */
  public enum Kind { ADDED, CHANGED, DELETED }

  /** One change; {@code size} is the new content's size, or for a deletion the bytes it hides. */
  public record Change(Kind kind, String path, String type, long size) { }

  /** A layer's changes; {@code wastedBytes} are bytes of this layer that later layers hide. */
  public record LayerDiff(int index, Digest digest, String createdBy, List<Change> changes, long contentBytes,
      long wastedBytes) { }

  /** A file whose bytes are hidden by a later layer. */
  public record Waste(String path, int layer, long bytes) { }

  /** All layers' diffs and the image's wasted space. */
  public record ImageDiff(List<LayerDiff> layers, long contentBytes, long wastedBytes, List<Waste> wasted) {
    /** Share of content bytes a user of the image can still see, as dive's "efficiency". */
    public double efficiency() {
      return contentBytes == 0 ? 1.0 : 1.0 - (double) wastedBytes / contentBytes;
    }
  }

  private record State(int layer, long size, String type) { }

  public ImageDiff diff(ImageRecord image) {
    List<HistoryRow> hist = history(image);
    NavigableMap<String, State> view = new TreeMap<>();
    List<List<Change>> changes = new ArrayList<>();
    long[] content = new long[image.layers().size()];
    long[] wasted = new long[image.layers().size()];
    List<Waste> waste = new ArrayList<>();
    for (ImageRecord.Layer l : image.layers()) {
      int i = l.position();
      List<Change> ch = new ArrayList<>();
      changes.add(ch);
      try (InputStream in = decompress(l)) {
        TarReader tar = new TarReader(in);
        TarEntry e;
        while ((e = tar.next()) != null) {
          String path = normalise(e.name());
          if (path.isEmpty()) {
            continue;
          }
          int slash = path.lastIndexOf('/');
          String parent = slash < 0 ? "" : path.substring(0, slash);
          String base = path.substring(slash + 1);
          if (base.equals(LayerApplier.OPAQUE)) {
            String prefix = parent.isEmpty() ? "" : parent + "/";
            for (String p : new ArrayList<>(under(view, prefix).keySet())) {
              State s = view.get(p);
              if (s.layer() < i) {
                hide(view, p, s, ch, wasted, waste);
              }
            }
            continue;
          }
          if (base.startsWith(LayerApplier.WHITEOUT_PREFIX)) {
            String target = (parent.isEmpty() ? "" : parent + "/") + base.substring(4);
            State s = view.get(target);
            if (s != null) {
              hide(view, target, s, ch, wasted, waste);
            }
            for (String p : new ArrayList<>(under(view, target + "/").keySet())) {
              hideQuiet(view, p, wasted, waste);
            }
            continue;
          }
          String type = switch (e.type()) {
            case DIRECTORY -> "dir";
            case SYMLINK -> "symlink";
            case HARDLINK -> "hardlink";
            case FILE -> "file";
            default -> "special";
          };
          State old = view.get(path);
          long size = e.size();
          content[i] += size;
          if (old == null) {
            ch.add(new Change(Kind.ADDED, path, type, size));
          } else if (!(old.type().equals("dir") && type.equals("dir"))) {
            ch.add(new Change(Kind.CHANGED, path, type, size));
            if (old.size() > 0) {
              wasted[old.layer()] += old.size();
              waste.add(new Waste(path, old.layer(), old.size()));
            }
          }
          view.put(path, new State(i, size, type));
        }
      } catch (IOException ex) {
        throw new LayerException("layer " + l.digest() + ": cannot read (" + ex.getMessage() + ")", ex);
      }
    }
    List<LayerDiff> out = new ArrayList<>();
    long total = 0;
    long totalWaste = 0;
    for (ImageRecord.Layer l : image.layers()) {
      int i = l.position();
      String by = hist.stream().filter(r -> r.layerIndex() != null && r.layerIndex() == i).map(HistoryRow::createdBy)
          .findFirst().orElse(null);
      out.add(new LayerDiff(i, l.digest(), by, changes.get(i), content[i], wasted[i]));
      total += content[i];
      totalWaste += wasted[i];
    }
    waste.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
    return new ImageDiff(out, total, totalWaste, waste);
  }

  private static NavigableMap<String, State> under(NavigableMap<String, State> view, String prefix) {
    if (prefix.isEmpty()) {
      return view;
    }
    return view.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
  }

  private static void hide(NavigableMap<String, State> view, String p, State s, List<Change> ch, long[] wasted,
      List<Waste> waste) {
    ch.add(new Change(Kind.DELETED, p, s.type(), s.size()));
    hideQuiet(view, p, wasted, waste);
  }

  private static void hideQuiet(NavigableMap<String, State> view, String p, long[] wasted, List<Waste> waste) {
    State s = view.remove(p);
    if (s != null && s.size() > 0) {
      wasted[s.layer()] += s.size();
      waste.add(new Waste(p, s.layer(), s.size()));
    }
  }

  static String normalise(String name) {
    List<String> parts = new ArrayList<>();
    for (String c : name.split("/")) {
      if (!c.isEmpty() && !c.equals(".")) {
        parts.add(c);
      }
    }
    return String.join("/", parts);
  }

  private InputStream decompress(ImageRecord.Layer l) throws IOException {
    InputStream raw = new BufferedInputStream(store.content().open(l.digest()), 1 << 20);
    return switch (l.mediaType().compression()) {
      case GZIP -> new GZIPInputStream(raw, 1 << 16);
      case ZSTD -> new BufferedInputStream(new ZstdInputStream(raw), 1 << 16);
      case NONE -> raw;
    };
  }
}
