package dev.dcont.layers;

import dev.dcont.store.StoreLayout;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import java.nio.file.Path;

/**
 * One unpacked layer: {@code snapshots/<id>/fs}, reachable as {@code l/<link>}, keyed by the chain ID of
 * the layer stack it ends. {@code size} is what {@code du --apparent-size -b} reports for its directory;
 * {@code files} counts every entry in it except the root.
 */
public record Snapshot(long id, ChainId chainId, ChainId parent, Digest diffId, Digest layerDigest, String link,
    long size, long files, long created) {

  public Path fs(StoreLayout layout) {
    return layout.snapshotFs(id);
  }

  public Path dir(StoreLayout layout) {
    return layout.snapshot(id);
  }

  public Path linkPath(StoreLayout layout) {
    return layout.linksDir().resolve(link);
  }
}
