package dev.dcont.registry;

import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Reference;
import java.util.Map;

/**
 * What a pull did.
 *
 * @param ref the normalised reference pulled
 * @param servedDigest the digest of what the registry served for it (the index's for multi-platform images)
 * @param image the stored image (platform manifest, config, layers)
 * @param downloaded whether any blob was new to the store (false: "Image is up to date")
 * @param replaced the names (tag, repository digest) this pull took from other images, each with the image it
 *     named before: given back if the image is then refused ({@code ImageRepository.delete(Digest, Map)})
 */
public record PullResult(Reference ref, Digest servedDigest, ImageRecord image, boolean downloaded,
    Map<Reference, Digest> replaced) {
  /** {@code repository@servedDigest}, as Docker's RepoDigests. */
  public Reference canonical() {
    return ref.withDigest(servedDigest);
  }
}
