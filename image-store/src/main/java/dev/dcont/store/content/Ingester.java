package dev.dcont.store.content;

import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.util.Optional;

/** The only way into the store: write, then commit (size and digest checked). */
public interface Ingester {
  /**
   * Opens the writer for blob {@code digest} of {@code size} bytes. Returns empty when the blob
   * is already committed. If another process or thread is writing the same blob, waits until it
   * is done, then returns empty if it was committed or a writer that resumes from its partial file.
   */
  Optional<IngestWriter> open(Digest digest, long size) throws IOException;

  /** Stores small content held in memory (manifests, configs), checking its digest. */
  void put(Digest digest, byte[] content) throws IOException;
}
