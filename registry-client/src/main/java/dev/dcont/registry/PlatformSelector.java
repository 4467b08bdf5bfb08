package dev.dcont.registry;

import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.ImageIndex;
import dev.dcont.store.model.Platform;

/**
 * Chooses the entry of an index for a platform: an image manifest via {@link ImageIndex#select}
 * (attestations skipped, exact variant preferred), else a nested index that may hold it (entries
 * without a platform, or a matching one).
 */
public final class PlatformSelector {
  private PlatformSelector() { }

  public static Descriptor select(ImageIndex index, Platform wanted, String what) {
    try {
      return index.select(wanted, what);
    } catch (ImageIndex.NoMatchingPlatformException e) {
      for (Descriptor d : index.manifests()) {
        if (d.mediaType() != null && d.mediaType().isIndex() && !ImageIndex.isAttestation(d)
            && (d.platform() == null || wanted.matches(d.platform()))) {
          return d;
        }
      }
      throw e;
    }
  }
}
