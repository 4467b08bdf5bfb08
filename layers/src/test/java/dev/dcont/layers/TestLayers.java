package dev.dcont.layers;

import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import dev.dcont.testkit.Root;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds layer tars (with commons-compress, as the real tools write them) and test images in a store. */
final class TestLayers {
  private TestLayers() { }

  /** Tests that need root fail under CI=true and skip elsewhere when not root. */
  static void requireRoot() {
    Root.require("mknod, chown, trusted.* xattrs or mount");
  }


  /** A tar under construction. */
  static final class Tar {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream out;

    Tar() {
      out = new TarArchiveOutputStream(bytes);
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      out.setAddPaxHeadersForNonAsciiNames(true);
    }

    Tar gnuLongNames() {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
      return this;
    }

    Tar dir(String name, int mode) {
      return entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, mode, null, e -> { });
    }

    Tar file(String name, String content) {
      return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, e -> { });
    }

    Tar file(String name, byte[] content, int mode, Consumer<TarArchiveEntry> tweak) {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
      e.setSize(content.length);
      e.setMode(mode);
      tweak.accept(e);
      try {
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
      } catch (IOException x) {
        throw new java.io.UncheckedIOException(x);
      }
      return this;
    }

    Tar symlink(String name, String target) {
      return entry(name, TarConstants.LF_SYMLINK, 0777, target, e -> { });
    }

    Tar hardlink(String name, String target) {
      return entry(name, TarConstants.LF_LINK, 0644, target, e -> { });
    }

    Tar entry(String name, byte type, int mode, String link, Consumer<TarArchiveEntry> tweak) {
      TarArchiveEntry e = new TarArchiveEntry(name, type, true);
      e.setMode(mode);
      if (link != null) {
        e.setLinkName(link);
      }
      tweak.accept(e);
      try {
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
      } catch (IOException x) {
        throw new java.io.UncheckedIOException(x);
      }
      return this;
    }

    byte[] bytes() {
      try {
        out.finish();
        out.close();
      } catch (IOException x) {
        throw new java.io.UncheckedIOException(x);
      }
      return bytes.toByteArray();
    }
  }

  static byte[] gzip(byte[] tar) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream z = new GZIPOutputStream(b)) {
      z.write(tar);
    }
    return b.toByteArray();
  }

  static byte[] zstd(byte[] tar) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream z = new com.github.luben.zstd.ZstdOutputStream(b)) {
      z.write(tar);
    }
    return b.toByteArray();
  }

  /** A layer as stored: its blob bytes and media type, plus the uncompressed tar for the diff ID. */
  record Layer(byte[] tar, byte[] blob, MediaType mediaType) {
    static Layer gzip(byte[] tar) throws IOException {
      return new Layer(tar, TestLayers.gzip(tar), MediaType.OCI_LAYER_GZIP);
    }
  }

  /** Saves blobs, config, manifest and rows of an image made of {@code layers}, tagged {@code ref}. */
  static ImageRecord saveImage(Store store, String ref, List<Layer> layers) throws IOException {
    return saveImage(store, ref, layers, null);
  }

  static ImageRecord saveImage(Store store, String ref, List<Layer> layers, List<String> createdBy)
      throws IOException {
    List<Digest> diffIds = new ArrayList<>();
    for (Layer l : layers) {
      diffIds.add(Digest.sha256(l.tar()));
    }
    List<ChainId> chain = ChainId.of(diffIds);
    StringBuilder hist = new StringBuilder();
    for (int i = 0; i < layers.size(); i++) {
      if (i > 0) {
        hist.append(',');
      }
      String by = createdBy != null ? createdBy.get(i) : "/bin/sh -c #(nop) ADD layer" + i;
      hist.append("{\"created\":\"2024-01-0").append(1 + i % 9).append("T00:00:00Z\",\"created_by\":")
          .append(new String(dev.dcont.store.model.Json.write(by), StandardCharsets.UTF_8)).append('}');
    }
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T00:00:00Z\","
        + "\"config\":{\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
        + String.join(",", diffIds.stream().map(d -> "\"" + d + "\"").toList()) + "]},\"history\":[" + hist + "]}";
    byte[] cfg = config.getBytes(StandardCharsets.UTF_8);
    Digest cfgDigest = Digest.sha256(cfg);
    store.content().put(cfgDigest, cfg);
    List<ImageRecord.Layer> rows = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      Digest d = Digest.sha256(l.blob());
      store.content().put(d, l.blob());
      rows.add(new ImageRecord.Layer(i, d, diffIds.get(i), chain.get(i), l.mediaType(), l.blob().length));
    }
    byte[] manifest = ("{\"schemaVersion\":2,\"config\":\"" + cfgDigest + "\",\"ref\":\"" + ref + "\",\"layers\":"
        + rows.size() + "," + "\"n\":\"" + diffIds + "\"}").getBytes(StandardCharsets.UTF_8);
    Digest md = Digest.sha256(manifest);
    store.content().put(md, manifest);
    ImageRecord img = new ImageRecord(md, MediaType.OCI_MANIFEST, manifest.length, cfgDigest, cfg.length,
        Platform.parse("linux/amd64"), "2024-01-02T00:00:00Z", System.currentTimeMillis(), rows);
    store.images().save(img, Reference.parse(ref), md, null);
    return img;
  }

  /** Every path under {@code dir} except {@code inside}, to prove nothing was written outside a snapshot. */
  static List<Path> outside(Path dir, Path inside) throws IOException {
    try (var s = Files.walk(dir)) {
      return s.filter(p -> !p.startsWith(inside) && !p.equals(dir)).toList();
    }
  }

  static Map<String, String> pax(String... kv) {
    java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
