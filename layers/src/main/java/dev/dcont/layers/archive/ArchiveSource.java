package dev.dcont.layers.archive;

import dev.dcont.store.model.Digest;
import java.util.Optional;
import java.util.Set;

/**
 * What an image archive holds, by the names inside it: small documents (JSON) as bytes, and blobs put into the
 * store's content through its ingest. A name that is a link inside the archive leads to its target.
 */
interface ArchiveSource {
  /** The largest document held in memory (manifest.json, index.json, a manifest or config). */
  long MAX_DOCUMENT = 16L << 20;

  /** The bytes of the file {@code name}, or null when the archive has none; refused over {@link #MAX_DOCUMENT}. */
  byte[] document(String name);

  /**
   * Makes sure the file {@code name} is a blob of the store and returns its digest, or empty when the archive
   * has no such file. {@code expected}, when not null, is the digest it must have (refused otherwise).
   */
  Optional<Digest> blob(String name, Digest expected);

  /** The blobs this source added to the store (not there before), for a refused load to take out again. */
  Set<Digest> added();
}
