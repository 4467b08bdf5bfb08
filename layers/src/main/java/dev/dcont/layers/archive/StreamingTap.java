package dev.dcont.layers.archive;

import dev.dcont.layers.ImageUnpacker;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.ImageConfig;
import dev.dcont.store.model.ImageIndex;
import dev.dcont.store.model.Manifest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Unpacks a layer blob of the archive while it is read, when the documents read before it name it: index.json,
 * the manifest and the config of its image. What it finds is checked again, in full, after the archive is read;
 * a snapshot it made for an archive that is then refused is taken out with the refused load's blobs.
 */
final class StreamingTap implements TarSource.LayerTap {
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
        byte[] mb = source.documentSoFar(ArchivedImages.blobPath(d.digest()));
        if (mb == null || d.mediaType() == null || !d.mediaType().isManifest()) {
          continue;
        }
        Manifest m = Manifest.parse(mb, "manifest " + d.digest());
        byte[] cb = source.documentSoFar(ArchivedImages.blobPath(m.config().digest()));
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
