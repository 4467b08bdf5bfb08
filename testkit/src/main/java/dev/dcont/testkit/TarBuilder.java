package dev.dcont.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds an uncompressed tar in memory, entry by entry, including hostile entries for tests. */
public final class TarBuilder {
  private final List<Entry> entries = new ArrayList<>();

  private record Entry(TarArchiveEntry header, byte[] data) { }

  public TarBuilder dir(String path, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(path.endsWith("/") ? path : path + "/", TarConstants.LF_DIR);
    e.setMode(040000 | mode);
    return add(e, null);
  }

  public TarBuilder dir(String path) {
    return dir(path, 0755);
  }

  public TarBuilder file(String path, byte[] data, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(path);
    e.setMode(0100000 | mode);
    e.setSize(data.length);
    return add(e, data);
  }

  public TarBuilder file(String path, String text) {
    return file(path, text.getBytes(StandardCharsets.UTF_8), 0644);
  }

  public TarBuilder symlink(String path, String target) {
    TarArchiveEntry e = new TarArchiveEntry(path, TarConstants.LF_SYMLINK);
    e.setLinkName(target);
    e.setMode(0120777);
    return add(e, null);
  }

  public TarBuilder hardlink(String path, String target) {
    TarArchiveEntry e = new TarArchiveEntry(path, TarConstants.LF_LINK);
    e.setLinkName(target);
    return add(e, null);
  }

  /** Any entry, customised by the caller (owner, mtime, xattrs, device numbers, …). */
  public TarBuilder entry(String path, byte linkFlag, byte[] data, Consumer<TarArchiveEntry> custom) {
    TarArchiveEntry e = new TarArchiveEntry(path, linkFlag, true);
    if (data != null) {
      e.setSize(data.length);
    }
    custom.accept(e);
    return add(e, data);
  }

  private TarBuilder add(TarArchiveEntry e, byte[] data) {
    if (e.getModTime().getTime() > 1_000_000_000_000L) {
      e.setModTime(1_700_000_000_000L);
    }
    entries.add(new Entry(e, data));
    return this;
  }

  public byte[] build() {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bos)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Entry en : entries) {
        tar.putArchiveEntry(en.header());
        if (en.data() != null) {
          tar.write(en.data());
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }
}
