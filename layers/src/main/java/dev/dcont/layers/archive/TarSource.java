package dev.dcont.layers.archive;

import dev.dcont.layers.ImageUnpacker;
import dev.dcont.layers.tar.TarEntry;
import dev.dcont.layers.tar.TarHeaderException;
import dev.dcont.layers.tar.TarReader;
import dev.dcont.store.StoreException;
import dev.dcont.store.content.ContentStore;
import dev.dcont.store.content.DigestMismatchException;
import dev.dcont.store.content.IngestWriter;
import dev.dcont.store.model.Digest;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An image archive read once, in order, from a stream (a file or standard input; plain or gzip, told by its first
 * bytes). Where manifest.json or index.json come last (as every writer puts them), nothing is known of the blobs
 * while they pass: each file that is not a small JSON document goes straight into the store's ingest, once, and is
 * known afterwards by its digest; only the documents are held, within {@link #MAX_DOCUMENTS} in all.
 */
final class TarSource implements ArchiveSource {
  /** All documents held at once (manifests, configs, index.json, manifest.json, the old layout's layer JSON). */
  static final long MAX_DOCUMENTS = 64L << 20;
  private static final Pattern BLOB = Pattern.compile("blobs/sha256/([a-f0-9]{64})");
  private final ContentStore content;
  private final LayerTap tap;
  private final Map<String, byte[]> documents = new HashMap<>();
  private final Map<String, Digest> stored = new HashMap<>();
  private final Map<String, String> links = new HashMap<>();
  private final Set<Digest> added = new LinkedHashSet<>();
  private long held;

  /**
   * Where a layer blob's bytes go besides the store, while they are read: the unpacker, when the documents that
   * came before it (as dcont's save writes them, first) tell which layer of which image the blob is.
   */
  interface LayerTap {
    /** The feed of an unpack of {@code blob} ({@code size} bytes) from its bytes, or null. */
    ImageUnpacker.Feed open(TarSource source, Digest blob, long size);
  }

  private TarSource(ContentStore content, LayerTap tap) {
    this.content = content;
    this.tap = tap;
  }

  /**
   * Reads the whole archive from {@code raw}. The blobs it added stay in {@link #added} also when it fails, for
   * the caller to take out.
   */
  static TarSource read(InputStream raw, ContentStore content, Set<Digest> addedSoFar, LayerTap tap) {
    TarSource s = new TarSource(content, tap);
    try {
      s.readAll(raw);
    } finally {
      addedSoFar.addAll(s.added);
    }
    return s;
  }

  private void readAll(InputStream raw) {
    try {
      BufferedInputStream b = new BufferedInputStream(new Reading(raw), 1 << 16);
      b.mark(2);
      int m0 = b.read();
      int m1 = b.read();
      b.reset();
      if (m0 < 0) {
        throw new ArchiveException("the archive is empty (expected a tar written by docker save, podman save or"
            + " skopeo)");
      }
      InputStream in = m0 == 0x1f && m1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(b, 1 << 16), 1 << 16) : b;
      TarReader tar = new TarReader(in);
      InputStream data = new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          return tar.read(buf, off, len);
        }
      };
      int entries = 0;
      for (TarEntry e = tar.next(); e != null; e = tar.next()) {
        entries++;
        String name = ArchivePaths.clean(e.name(), "archive entry");
        switch (e.type()) {
          case DIRECTORY -> { }
          case SYMLINK -> links.put(name, ArchivePaths.resolveLink(name, e.linkName(), "archive entry"));
          case HARDLINK -> links.put(name, ArchivePaths.clean(e.linkName(), "archive entry '"
              + ArchivePaths.printable(name) + "' is a hard link to a file that"));
          case FILE -> file(name, e.size(), data);
          default -> throw new ArchiveException("archive entry '" + ArchivePaths.printable(name) + "' is a "
              + e.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
              + "; an image archive holds only files, directories and links");
        }
      }
      if (entries == 0) {
        throw new ArchiveException("the archive has no entries (expected a tar written by docker save, podman save"
            + " or skopeo)");
      }
    } catch (TarHeaderException e) {
      throw new ArchiveException("the archive is corrupt: " + e.getMessage() + " (is it a tar file?)", e);
    } catch (EOFException e) {
      throw new ArchiveException("the archive is truncated: " + e.getMessage() + " (copy it again)", e);
    } catch (ZipException e) {
      throw new ArchiveException("the archive is corrupt: its gzip compression is broken (" + e.getMessage() + ")",
          e);
    } catch (Reading.Failed e) {
      throw StoreException.io("reading the archive", (IOException) e.getCause());
    } catch (IOException e) {
      // the tar reader's own refusals (a header's checksum, a number out of range): the bytes are not a tar
      String problem = String.valueOf(e.getMessage()).startsWith("invalid tar header checksum")
          ? "a tar header's checksum is wrong" : e.getMessage();
      throw new ArchiveException("the archive is corrupt or not a tar: " + problem, e);
    }
  }

  /** The archive's bytes, whose read failures are told apart from what the tar reader refuses in them. */
  private static final class Reading extends java.io.FilterInputStream {
    static final class Failed extends IOException {
      Failed(IOException cause) {
        super(cause.getMessage(), cause);
      }
    }

    Reading(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw new Failed(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        throw new Failed(e);
      }
    }
  }

  private void file(String name, long size, InputStream data) throws IOException {
    Matcher blob = BLOB.matcher(name);
    if (blob.matches()) {
      Digest d = Digest.parse("sha256:" + blob.group(1));
      if (content.exists(d)) {
        stored.put(name, d); // the store has these bytes; the archive's copy is not read
        return;
      }
      byte[] head = readHead(data, (int) Math.min(size, 512));
      if (size <= MAX_DOCUMENT && looksLikeJson(head)) {
        byte[] all = hold(name, head, size, data);
        Digest actual = Digest.sha256(all);
        if (!actual.equals(d)) {
          throw mismatch(name, actual);
        }
        documents.put(name, all);
        return;
      }
      ImageUnpacker.Feed feed = tap.open(this, d, size);
      if (feed != null) {
        ingestStreaming(name, d, head, size, data, feed);
        stored.put(name, d);
        return;
      }
      Digest actual = ingest(head, size, data);
      if (!actual.equals(d)) {
        throw mismatch(name, actual);
      }
      stored.put(name, d);
      return;
    }
    if (isDocument(name)) {
      documents.put(name, hold(name, new byte[0], size, data));
      return;
    }
    stored.put(name, ingest(new byte[0], size, data));
  }

  private static ArchiveException mismatch(String name, Digest actual) {
    return new ArchiveException("archive entry " + name + ": its content has digest " + actual
        + ", not the one its name gives (the archive is corrupt or was changed)");
  }

  /** The names of the JSON documents of Docker's layouts (old and new) and OCI's. */
  static boolean isDocument(String name) {
    return name.equals("manifest.json") || name.equals("index.json") || name.equals("oci-layout")
        || name.equals("repositories") || name.endsWith(".json") || name.endsWith("/json")
        || name.endsWith("/VERSION");
  }

  private static boolean looksLikeJson(byte[] head) {
    for (byte b : head) {
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        continue;
      }
      return b == '{' || b == '[';
    }
    return false;
  }

  private static byte[] readHead(InputStream data, int n) throws IOException {
    byte[] head = data.readNBytes(n);
    if (head.length < n) {
      throw new EOFException("tar stream ends inside an entry's data");
    }
    return head;
  }

  private byte[] hold(String name, byte[] head, long size, InputStream data) throws IOException {
    if (size > MAX_DOCUMENT) {
      throw new ArchiveException("archive entry " + ArchivePaths.printable(name) + " is " + size + " bytes, more"
          + " than the " + MAX_DOCUMENT + " an image archive's JSON document may have");
    }
    held += size;
    if (held > MAX_DOCUMENTS) {
      throw new ArchiveException("the archive's JSON documents are more than " + MAX_DOCUMENTS + " bytes in all;"
          + " an image archive has a few small ones");
    }
    byte[] all = new byte[(int) size];
    System.arraycopy(head, 0, all, 0, head.length);
    int off = head.length;
    while (off < all.length) {
      int r = data.read(all, off, all.length - off);
      if (r < 0) {
        throw new EOFException("tar stream ends inside an entry's data");
      }
      off += r;
    }
    return all;
  }

  private Digest ingest(byte[] head, long size, InputStream data) throws IOException {
    ContentStore.Ingested i = content.ingest(new SequenceInputStream(new ByteArrayInputStream(head), data), size);
    if (i.added()) {
      added.add(i.digest());
    }
    return i.digest();
  }

  /**
   * Stores a blob of known digest through the store's writer (as a pull stores a layer: the unpacker has the
   * bytes, nothing reads them back), handing them to {@code feed} too; the feed is told the blob is good once
   * its size and digest matched, or that it failed.
   */
  private void ingestStreaming(String name, Digest d, byte[] head, long size, InputStream data,
      ImageUnpacker.Feed feed) throws IOException {
    boolean verified = false;
    try {
      java.util.Optional<IngestWriter> w = content.open(d, size);
      if (w.isEmpty()) {
        feed.abort(new IOException("blob " + d + " was stored meanwhile"));
        return;
      }
      try (IngestWriter writer = w.get()) {
        writer.restart();
        writer.write(head, 0, head.length);
        feed.write(head, 0, head.length);
        byte[] buf = new byte[1 << 16];
        long left = size - head.length;
        while (left > 0) {
          int n = data.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            throw new EOFException("tar stream ends inside an entry's data");
          }
          writer.write(buf, 0, n);
          feed.write(buf, 0, n);
          left -= n;
        }
        try {
          writer.commit(feed::verified);
        } catch (DigestMismatchException e) {
          throw new ArchiveException("archive entry " + name + ": " + e.getMessage().replace(" (the registry sent wrong"
              + " data; pull again)", "") + " (the archive is corrupt or was changed)");
        }
        verified = true;
        added.add(d);
      }
    } finally {
      if (!verified) {
        feed.abort(new IOException("archive entry " + name + " was not read to its end"));
      }
    }
  }

  private String resolve(String name) {
    String n = name;
    for (int hops = 0; links.containsKey(n); hops++) {
      if (hops == 40) {
        throw new ArchiveException("archive entry " + ArchivePaths.printable(name) + ": too many links");
      }
      n = links.get(n);
    }
    return n;
  }

  int documentCount() {
    return documents.size();
  }

  /** A document read so far, while the archive is still being read (for the tap). */
  byte[] documentSoFar(String name) {
    return documents.get(resolve(name));
  }

  @Override
  public byte[] document(String name) {
    String n = resolve(name);
    byte[] d = documents.get(n);
    if (d != null) {
      return d;
    }
    Digest blob = stored.get(n);
    if (blob == null) {
      return null;
    }
    if (content.size(blob) > MAX_DOCUMENT) {
      throw new ArchiveException("archive entry " + ArchivePaths.printable(name) + " is " + content.size(blob)
          + " bytes, more than the " + MAX_DOCUMENT + " an image archive's JSON document may have");
    }
    try {
      return content.readAll(blob);
    } catch (IOException e) {
      throw StoreException.io("blob " + blob, e);
    }
  }

  @Override
  public Optional<Digest> blob(String name, Digest expected) {
    String n = resolve(name);
    Digest d = stored.get(n);
    if (d == null) {
      byte[] doc = documents.get(n);
      if (doc == null) {
        return Optional.empty();
      }
      d = Digest.sha256(doc);
      if (expected == null || d.equals(expected)) {
        putDocument(d, doc);
      }
    }
    if (expected != null && !d.equals(expected)) {
      throw new ArchiveException("archive entry " + ArchivePaths.printable(name) + ": its content has digest " + d
          + ", not " + expected + " (the archive is corrupt or was changed)");
    }
    return Optional.of(d);
  }

  private void putDocument(Digest d, byte[] doc) {
    if (content.putIfAbsent(d, doc)) {
      added.add(d);
    }
  }

  @Override
  public Set<Digest> added() {
    return added;
  }
}
