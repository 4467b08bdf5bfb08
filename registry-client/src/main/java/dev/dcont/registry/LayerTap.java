package dev.dcont.registry;

import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import java.io.IOException;

/**
 * Sees a layer blob's bytes while {@link ImagePuller} downloads it, so that the caller can unpack the layer as
 * it arrives instead of after the download, and the image once all its blobs are stored, before it is recorded
 * (the CLI wires the layers module's unpacker in here; this module knows nothing of unpacking).
 *
 * <p>Contract: {@link #open} is called for a layer blob that is about to be fetched from its first byte (never
 * for a blob already in the store or one resumed from a partial file of an earlier process). The sink then
 * receives every byte of the blob in order, exactly as written to the ingest file, including bytes fetched
 * with {@code Range} after a connection was cut. Exactly one of {@link Sink#verified} (size and digest
 * checked; the blob's commit into {@code blobs/} follows, and if that fails the pull fails) or
 * {@link Sink#abort} (anything else: failure, interruption, or a server that restarted the blob) ends it. A sink must not keep the download waiting once it has
 * given up reading.
 */
@FunctionalInterface
public interface LayerTap {
  /** Taps nothing. */
  LayerTap NONE = (layer, parent) -> null;

  /**
   * A sink for {@code layer} (the first position of the image where its blob appears), or null when the
   * caller does not want its bytes (e.g. its snapshot exists already).
   *
   * @param parent the chain ID of the layer below, null for the base layer
   */
  Sink open(ImageRecord.Layer layer, ChainId parent);

  /**
   * Every blob of {@code image} is in the store (the registry's answer to the pull). Called before the image is
   * recorded, from the pulling thread, so that the caller can finish its part (unpack it): the image gets its
   * names, and becomes visible, only when this returns; what it throws fails the pull with the image unrecorded.
   * Called too when the registry serves the image already recorded, which the pull then leaves as it is.
   */
  default void stored(ImageRecord image) { }

  /** One blob's bytes; called from one download thread. */
  interface Sink {
    void write(byte[] b, int off, int len) throws IOException;

    /** The blob's size and digest matched: the bytes written are the blob (its commit to disk follows). */
    void verified();

    /** The download failed or restarted; what was written must not be used. */
    void abort(Throwable cause);
  }
}
