package dev.dcont.store.db;

import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import java.util.List;

/**
 * One stored image: a platform manifest, its config and layers. Its ID, as Docker shows it, is
 * the config digest.
 */
public record ImageRecord(
    Digest manifestDigest,
    MediaType manifestMediaType,
    long manifestSize,
    Digest configDigest,
    long configSize,
    Platform platform,
    String created,
    long pulledAt,
    List<Layer> layers) {

  public ImageRecord {
    layers = List.copyOf(layers);
  }

  /** Docker's image ID: the config digest. */
  public Digest id() {
    return configDigest;
  }

  /** Bytes of the image's blobs in the store (manifest, config and compressed layers). */
  public long size() {
    return manifestSize + configSize + layers.stream().mapToLong(Layer::size).sum();
  }

  public ChainId topChainId() {
    return layers.isEmpty() ? null : layers.get(layers.size() - 1).chainId();
  }

  /** A layer of an image, in order from the base. */
  public record Layer(int position, Digest digest, Digest diffId, ChainId chainId, MediaType mediaType, long size) { }
}
