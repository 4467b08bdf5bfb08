package dev.dcont.layers.archive;

import dev.dcont.store.StoreException;
import dev.dcont.store.content.ContentStore;
import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * An OCI image layout directory ({@code skopeo copy … oci:DIR}, {@code umoci}): its files read when the loader
 * asks for them, each name resolved to a file that must lie inside the directory (a symbolic link out of it is
 * refused).
 */
final class DirectorySource implements ArchiveSource {
  private final Path root;
  private final ContentStore content;
  private final Set<Digest> added = new LinkedHashSet<>();

  DirectorySource(Path dir, ContentStore content) {
    try {
      this.root = dir.toRealPath();
    } catch (IOException e) {
      throw new ArchiveException("directory " + dir + ": " + e.getMessage());
    }
    this.content = content;
  }

  /** The file {@code name} inside the directory, or null. */
  private Path file(String name) {
    String n = ArchivePaths.clean(name, "file");
    Path real;
    try {
      real = root.resolve(n).toRealPath();
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new ArchiveException(root.resolve(n) + ": " + e.getMessage());
    }
    if (!real.startsWith(root)) {
      throw new ArchiveException(root.resolve(n) + " leads outside the directory " + root + " (a symbolic link)");
    }
    return Files.isRegularFile(real) ? real : null;
  }

  @Override
  public byte[] document(String name) {
    Path f = file(name);
    if (f == null) {
      return null;
    }
    try {
      long size = Files.size(f);
      if (size > MAX_DOCUMENT) {
        throw new ArchiveException(f + " is " + size + " bytes, more than the " + MAX_DOCUMENT
            + " an image layout's JSON document may have");
      }
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw StoreException.io("reading " + f, e);
    }
  }

  @Override
  public Optional<Digest> blob(String name, Digest expected) {
    Path f = file(name);
    if (f == null) {
      return Optional.empty();
    }
    if (expected != null && content.exists(expected)) {
      return Optional.of(expected);
    }
    ContentStore.Ingested i;
    try (InputStream in = Files.newInputStream(f)) {
      i = content.ingest(in, Files.size(f));
    } catch (IOException e) {
      throw StoreException.io("reading " + f, e);
    }
    if (i.added()) {
      added.add(i.digest());
    }
    if (expected != null && !i.digest().equals(expected)) {
      throw new ArchiveException(f + ": its content has digest " + i.digest() + ", not " + expected
          + " (the layout is corrupt or was changed)");
    }
    return Optional.of(i.digest());
  }

  @Override
  public Set<Digest> added() {
    return added;
  }
}
