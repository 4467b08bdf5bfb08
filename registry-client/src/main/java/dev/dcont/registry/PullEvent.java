package dev.dcont.registry;

import dev.dcont.store.model.Digest;

/**
 * What happens during a pull, as typed values (go-containerregistry reports a download as {@code v1.Update}
 * values rather than text; Docker's daemon as JSON messages with an id and a status). The CLI turns them into
 * Docker's lines; nothing here is worded for a terminal.
 *
 * <p>{@link ImagePuller} sends all but {@link LayerExtracting} and {@link LayerComplete}, which belong to the
 * caller that unpacks the layers (in Docker a layer's pull is complete once it is extracted; a caller that does
 * not unpack says a layer is complete when it is downloaded).
 */
public sealed interface PullEvent {
  /**
   * The pull of {@code repository} (familiar form, e.g. {@code library/ubuntu}) at {@code tagOrDigest} begins.
   */
  record PullingFrom(String tagOrDigest, String repository) implements PullEvent { }

  /** The registry served manifest (or index) {@code digest} for the reference. */
  record Resolved(Digest digest) implements PullEvent { }

  /**
   * The pull ended; {@code downloaded}: something new was stored (else the image was up to date).
   *
   * @param name the reference in familiar form, e.g. {@code ubuntu:latest}
   */
  record Finished(String name, boolean downloaded) implements PullEvent { }

  /** An event about one layer blob. */
  sealed interface LayerEvent extends PullEvent {
    Digest layer();
  }

  /** The blob is in the store already. */
  record LayerExists(Digest layer) implements LayerEvent { }

  /** The blob is to be downloaded. */
  record LayerQueued(Digest layer) implements LayerEvent { }

  /** The blob waits for a download slot. */
  record LayerWaiting(Digest layer) implements LayerEvent { }

  /** {@code complete} of {@code total} bytes of the blob are stored. */
  record LayerDownloading(Digest layer, long complete, long total) implements LayerEvent { }

  /** Every byte arrived; size and digest are being checked. */
  record LayerVerifying(Digest layer) implements LayerEvent { }

  /** The blob is verified and stored. */
  record LayerDownloaded(Digest layer) implements LayerEvent { }

  /** The layer is being unpacked from its stored blob (sent by the caller that unpacks). */
  record LayerExtracting(Digest layer) implements LayerEvent { }

  /** The layer is ready: unpacked, or downloaded when the caller does not unpack (sent by that caller). */
  record LayerComplete(Digest layer) implements LayerEvent { }
}
