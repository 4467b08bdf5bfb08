package dev.dcont.registry;

import dev.dcont.store.model.Digest;

/**
 * What happens during a push, as typed values (as {@link PullEvent} for a pull). The CLI turns them into Docker's
 * lines; nothing here is worded for a terminal. Layer events name a layer by its blob digest; the config blob is
 * pushed without events, as Docker shows none for it.
 */
public sealed interface PushEvent {
  /** The push to {@code repository} ({@code domain/path}) begins. */
  record PushingTo(String repository) implements PushEvent { }

  /** The manifest is in the registry under {@code tag}, with this digest and size in bytes. */
  record Pushed(String tag, Digest digest, long size) implements PushEvent { }

  /** An event about one layer blob. */
  sealed interface LayerEvent extends PushEvent {
    Digest layer();
  }

  /** The layer is to be pushed: whether the registry has it is not known yet. */
  record LayerPreparing(Digest layer) implements LayerEvent { }

  /** The layer waits for an upload slot. */
  record LayerWaiting(Digest layer) implements LayerEvent { }

  /** {@code complete} of {@code total} bytes of the layer are uploaded. */
  record LayerPushing(Digest layer, long complete, long total) implements LayerEvent { }

  /** The layer was uploaded. */
  record LayerPushed(Digest layer) implements LayerEvent { }

  /** The registry had the layer in the repository already. */
  record LayerExists(Digest layer) implements LayerEvent { }

  /** The registry mounted the layer from {@code from}, another repository of it (its path). */
  record LayerMounted(Digest layer, String from) implements LayerEvent { }
}
