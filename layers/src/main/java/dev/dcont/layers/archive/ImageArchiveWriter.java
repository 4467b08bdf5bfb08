package dev.dcont.layers.archive;

import dev.dcont.layers.tar.TarEntry;
import dev.dcont.layers.tar.TarWriter;
import dev.dcont.store.content.BlobReader;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dcont save}: images as one tar in Docker 25's layout, which is an OCI image layout ({@code oci-layout},
 * {@code index.json} with the names as Docker and containerd write them, {@code blobs/sha256/}) with Docker's
 * {@code manifest.json} and {@code repositories} beside it, so that docker and podman load it and skopeo reads it
 * as {@code docker-archive:} and {@code oci-archive:} alike. Every blob is the store's, copied byte for byte (the
 * manifest as pulled, the layers as compressed in the registry), so every digest holds. The documents come first,
 * then manifests and configs, then the layers (Docker writes them in the order of their names, blobs first; tar
 * readers take any order), so that a reader of the stream knows each layer's image before its bytes arrive and
 * can unpack it as it reads it.
 */
public final class ImageArchiveWriter {
  /** An image to save and the names to save it under (none: by its ID only). */
  public record Item(ImageRecord image, List<Reference> names) { }

  private final BlobReader blobs;

  public ImageArchiveWriter(BlobReader blobs) {
    this.blobs = blobs;
  }

  /** Writes {@code items} as a tar to {@code out} (which stays open). */
  public void write(List<Item> items, OutputStream out) throws IOException {
    for (Item item : items) {
      ImageRecord img = item.image();
      List<Digest> needed = new ArrayList<>(List.of(img.manifestDigest(), img.configDigest()));
      img.layers().forEach(l -> needed.add(l.digest()));
      for (Digest d : needed) {
        if (!blobs.exists(d)) {
          throw new ArchiveException("image " + img.id().shortHex() + ": blob " + d + " is not in the store (pull"
              + " the image again)");
        }
      }
    }
    List<Object> manifests = new ArrayList<>();
    List<Object> dockerManifest = new ArrayList<>();
    Map<String, Map<String, String>> repositories = new LinkedHashMap<>();
    Set<Digest> listed = new LinkedHashSet<>();
    for (Item item : items) {
      ImageRecord img = item.image();
      if (!listed.add(img.manifestDigest())) {
        continue;
      }
      List<String> repoTags = new ArrayList<>();
      for (Reference name : item.names()) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(ImageArchiveLoader.IMAGE_NAME, name.toString());
        annotations.put(ImageArchiveLoader.REF_NAME, name.tag());
        manifests.add(descriptor(img, annotations));
        repoTags.add(name.familiarName());
        if (!img.layers().isEmpty()) {
          repositories.computeIfAbsent(name.familiarRepository(), k -> new LinkedHashMap<>())
              .put(name.tag(), img.layers().get(img.layers().size() - 1).digest().hex());
        }
      }
      if (item.names().isEmpty()) {
        manifests.add(descriptor(img, null));
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("Config", ArchivedImages.blobPath(img.configDigest()));
      entry.put("RepoTags", repoTags.isEmpty() ? null : repoTags);
      entry.put("Layers", img.layers().stream().map(l -> ArchivedImages.blobPath(l.digest())).toList());
      dockerManifest.add(entry);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", "application/vnd.oci.image.index.v1+json");
    index.put("manifests", manifests);
    TarWriter tar = new TarWriter(out);
    document(tar, "index.json", Json.write(index));
    document(tar, "manifest.json", Json.write(dockerManifest));
    document(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.US_ASCII));
    if (!repositories.isEmpty()) {
      document(tar, "repositories", Json.write(repositories));
    }
    directory(tar, "blobs");
    directory(tar, "blobs/sha256");
    Set<Digest> written = new LinkedHashSet<>();
    for (Item item : items) {
      ImageRecord img = item.image();
      blob(tar, img.manifestDigest(), written);
      blob(tar, img.configDigest(), written);
    }
    for (Item item : items) {
      for (ImageRecord.Layer l : item.image().layers()) {
        blob(tar, l.digest(), written);
      }
    }
    tar.finish();
  }

  private static Map<String, Object> descriptor(ImageRecord img, Map<String, String> annotations) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mediaType", img.manifestMediaType().value());
    d.put("digest", img.manifestDigest().toString());
    d.put("size", img.manifestSize());
    if (annotations != null) {
      d.put("annotations", annotations);
    }
    return d;
  }

  private void blob(TarWriter tar, Digest d, Set<Digest> written) throws IOException {
    if (!written.add(d)) {
      return;
    }
    try (InputStream in = blobs.open(d)) {
      long size = blobs.size(d);
      tar.put(file(ArchivedImages.blobPath(d), size));
      tar.copy(in);
    }
  }

  private static void document(TarWriter tar, String name, byte[] bytes) throws IOException {
    tar.put(file(name, bytes.length));
    tar.write(bytes, 0, bytes.length);
  }

  private static void directory(TarWriter tar, String name) throws IOException {
    tar.put(new TarEntry(name + "/", TarEntry.Type.DIRECTORY, null, 0755, 0, 0, 0, 0, 0, 0, 0, Map.of()));
  }

  private static TarEntry file(String name, long size) {
    return new TarEntry(name, TarEntry.Type.FILE, null, 0644, 0, 0, size, 0, 0, 0, 0, Map.of());
  }
}
