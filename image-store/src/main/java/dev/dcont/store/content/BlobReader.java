package dev.dcont.store.content;

import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/** Read access to committed blobs. */
public interface BlobReader {
  boolean exists(Digest digest);

  /** The committed file of a blob, if present. Never a partial download. */
  Optional<Path> path(Digest digest);

  InputStream open(Digest digest) throws IOException;

  byte[] readAll(Digest digest) throws IOException;

  /** Size in bytes, or -1 when absent. */
  long size(Digest digest);
}
