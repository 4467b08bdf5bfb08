package dev.dcont.layers.archive;

import dev.dcont.store.StoreException;
import dev.dcont.store.content.ContentStore;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.ImageConfig;
import dev.dcont.store.model.ImageIndex;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.Manifest;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The images an archive holds, read from its documents: index.json (OCI's layout, Docker 25's), else
 * manifest.json (Docker's old layout, whose manifests are made here from the config and the layers as stored,
 * each layer hashed as it went into the store). Every document is checked against the digest and size that name
 * it; what names a file outside the archive, or one it lacks, is refused.
 */
final class ArchivedImages {
  /** One image found in the archive, checked, before its blobs are linked into a record. */
  record Plan(Digest manifestDigest, MediaType mediaType, byte[] manifestBytes, Manifest manifest,
      byte[] config, List<String> layerPaths, Set<Reference> names) { }

  private final ContentStore content;

  ArchivedImages(ContentStore content) {
    this.content = content;
  }

  /** The images the archive holds, in the order it lists them; a manifest listed twice is one image. */
  List<Plan> plans(ArchiveSource src) {
    byte[] index = src.document("index.json");
    byte[] dockerManifest = src.document("manifest.json");
    List<Plan> plans;
    if (index != null) {
      plans = ociPlans(src, index, dockerManifest == null ? Map.of() : repoTags(dockerManifest));
    } else if (dockerManifest != null) {
      plans = dockerPlans(src, dockerManifest);
    } else {
      throw new ArchiveException("not an image archive: it has neither manifest.json nor index.json (expected"
          + " what docker save, podman save or skopeo write)");
    }
    if (plans.isEmpty()) {
      throw new ArchiveException("the archive lists no image");
    }
    return plans;
  }

  private List<Plan> ociPlans(ArchiveSource src, byte[] indexBytes, Map<String, List<Reference>> repoTags) {
    ImageIndex index = ImageIndex.parse(indexBytes, "index.json");
    Map<Digest, Plan> plans = new LinkedHashMap<>();
    for (Descriptor listed : index.manifests()) {
      Descriptor d = listed;
      if (d.mediaType() != null && d.mediaType().isIndex()) {
        ImageIndex nested = ImageIndex.parse(blobDocument(src, d, "index.json"), "index " + d.digest());
        d = nested.select(Platform.host(), "index " + d.digest());
      } else if (ImageIndex.isAttestation(d) || (d.mediaType() != null && !d.mediaType().isManifest())) {
        continue;
      }
      byte[] bytes = blobDocument(src, d, "index.json");
      Manifest m = Manifest.parse(bytes, "manifest " + d.digest());
      MediaType type = d.mediaType() != null ? d.mediaType() : m.mediaType() != null ? m.mediaType()
          : MediaType.OCI_MANIFEST;
      Plan p = plans.get(d.digest());
      if (p == null) {
        List<String> layerPaths = m.layers().stream().map(l -> blobPath(l.digest())).toList();
        p = new Plan(d.digest(), type, bytes, m, null, layerPaths, new LinkedHashSet<>());
        plans.put(d.digest(), p);
      }
      Reference name = annotatedName(listed);
      if (name != null) {
        p.names().add(name);
      }
      p.names().addAll(repoTags.getOrDefault(pathsOf(m), List.of()));
    }
    return new ArrayList<>(plans.values());
  }

  /** The name index.json gives an entry: containerd's full name, else a reference name that is one. */
  private static Reference annotatedName(Descriptor d) {
    String full = d.annotation(ImageArchiveLoader.IMAGE_NAME);
    String ref = full != null ? full : d.annotation(ImageArchiveLoader.REF_NAME);
    // a bare tag ("latest", as oci:DIR:latest writes) names no repository
    if (ref == null || (full == null && !ref.contains("/") && !ref.contains(":"))) {
      return null;
    }
    try {
      Reference r = Reference.parse(ref);
      return r.tag() != null ? r.withTag(r.tag()) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * manifest.json's RepoTags by the image each entry is (its config and layer paths: two images may share a
   * config), for a layout that has both (Docker 25's).
   */
  private static Map<String, List<Reference>> repoTags(byte[] manifestJson) {
    Map<String, List<Reference>> out = new LinkedHashMap<>();
    for (Map<?, ?> item : items(manifestJson)) {
      List<String> paths = new ArrayList<>();
      paths.add(ArchivePaths.clean(string(item, "Config"), "manifest.json's Config"));
      if (item.get("Layers") instanceof List<?> layers) {
        for (Object l : layers) {
          paths.add(ArchivePaths.clean(Json.text(l, ""), "manifest.json's layer"));
        }
      }
      out.computeIfAbsent(String.join("\n", paths), k -> new ArrayList<>()).addAll(names(item));
    }
    return out;
  }

  /** The key of {@link #repoTags} for manifest {@code m} of an OCI layout. */
  private static String pathsOf(Manifest m) {
    List<String> paths = new ArrayList<>();
    paths.add(blobPath(m.config().digest()));
    m.layers().forEach(l -> paths.add(blobPath(l.digest())));
    return String.join("\n", paths);
  }

  private List<Plan> dockerPlans(ArchiveSource src, byte[] manifestJson) {
    List<Plan> plans = new ArrayList<>();
    for (Map<?, ?> item : items(manifestJson)) {
      String configPath = ArchivePaths.clean(string(item, "Config"), "manifest.json's Config");
      byte[] config = src.document(configPath);
      if (config == null) {
        throw new ArchiveException("manifest.json names config " + ArchivePaths.printable(configPath)
            + ", which the archive does not contain");
      }
      Digest configDigest = Digest.sha256(config);
      String named = configPath.startsWith("blobs/sha256/") ? configPath.substring("blobs/sha256/".length())
          : configPath.endsWith(".json") ? configPath.substring(0, configPath.length() - 5) : null;
      if (named != null && named.matches("[a-f0-9]{64}") && !configDigest.hex().equals(named)) {
        throw new ArchiveException("archive entry " + configPath + ": its content has digest " + configDigest
            + ", not the one its name gives (the archive is corrupt or was changed)");
      }
      ImageConfig parsed = ImageConfig.parse(config, "config " + configPath);
      Object layersValue = item.get("Layers");
      if (!(layersValue instanceof List<?> paths)) {
        throw new ArchiveException("manifest.json: an entry has no Layers list");
      }
      if (parsed.diffIds().size() != paths.size()) {
        throw new ArchiveException("manifest.json lists " + paths.size() + " layers for config " + configPath
            + ", which has " + parsed.diffIds().size() + " diff_ids (the archive is malformed)");
      }
      List<Descriptor> layers = new ArrayList<>();
      List<String> layerPaths = new ArrayList<>();
      for (int i = 0; i < paths.size(); i++) {
        String path = ArchivePaths.clean(Json.text(paths.get(i), ""), "manifest.json's layer");
        Digest d = src.blob(path, null).orElseThrow(() -> new ArchiveException("manifest.json names layer "
            + ArchivePaths.printable(path) + ", which the archive does not contain"));
        MediaType.Compression c = compression(d);
        if (c == MediaType.Compression.NONE && !d.equals(parsed.diffIds().get(i))) {
          throw new ArchiveException("layer " + ArchivePaths.printable(path) + ": its content has digest " + d
              + " but the config says diff_id " + parsed.diffIds().get(i) + " (the archive is corrupt)");
        }
        MediaType type = switch (c) {
          case NONE -> MediaType.OCI_LAYER;
          case GZIP -> MediaType.OCI_LAYER_GZIP;
          case ZSTD -> MediaType.OCI_LAYER_ZSTD;
        };
        layers.add(new Descriptor(type, d, content.size(d)));
        layerPaths.add(path);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("schemaVersion", 2);
      m.put("mediaType", MediaType.OCI_MANIFEST.value());
      m.put("config", descriptor(new Descriptor(MediaType.OCI_CONFIG, configDigest, config.length)));
      m.put("layers", layers.stream().map(ArchivedImages::descriptor).toList());
      byte[] bytes = Json.write(m);
      plans.add(new Plan(Digest.sha256(bytes), MediaType.OCI_MANIFEST, bytes, Manifest.parse(bytes, "manifest"),
          config, layerPaths, new LinkedHashSet<>(names(item))));
    }
    return plans;
  }

  private static Map<String, Object> descriptor(Descriptor d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mediaType", d.mediaType().value());
    m.put("digest", d.digest().toString());
    m.put("size", d.size());
    return m;
  }

  private MediaType.Compression compression(Digest d) {
    try (InputStream in = content.open(d)) {
      byte[] head = in.readNBytes(4);
      if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
        return MediaType.Compression.GZIP;
      }
      if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
          && (head[3] & 0xff) == 0xfd) {
        return MediaType.Compression.ZSTD;
      }
      return MediaType.Compression.NONE;
    } catch (IOException e) {
      throw StoreException.io("blob " + d, e);
    }
  }

  private static List<Map<?, ?>> items(byte[] manifestJson) {
    Object v = Json.readAny(manifestJson, "manifest.json");
    if (!(v instanceof List<?> list)) {
      throw new ArchiveException("manifest.json is not a list of images (the archive is malformed)");
    }
    List<Map<?, ?>> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new ArchiveException("manifest.json lists something that is not an image (the archive is malformed)");
      }
      out.add(m);
    }
    return out;
  }

  private static String string(Map<?, ?> item, String key) {
    Object v = item.get(key);
    if (!(v instanceof String s) || s.isEmpty()) {
      throw new ArchiveException("manifest.json: an entry has no " + key + " (the archive is malformed)");
    }
    return s;
  }

  private static List<Reference> names(Map<?, ?> item) {
    Object v = item.get("RepoTags");
    List<Reference> out = new ArrayList<>();
    if (v instanceof List<?> tags) {
      for (Object t : tags) {
        String s = Json.text(t, "");
        try {
          Reference r = Reference.parse(s);
          if (r.tag() != null) {
            out.add(r.withTag(r.tag()));
          }
        } catch (IllegalArgumentException e) {
          throw new ArchiveException("manifest.json: RepoTags " + ArchivePaths.printable(s) + ": " + e.getMessage());
        }
      }
    }
    return out;
  }

  static String blobPath(Digest d) {
    return "blobs/" + d.algorithm() + "/" + d.hex();
  }

  /** A manifest or index the descriptor {@code d} (listed in {@code where}) names, checked against it. */
  static byte[] blobDocument(ArchiveSource src, Descriptor d, String where) {
    byte[] bytes = src.document(blobPath(d.digest()));
    if (bytes == null) {
      throw new ArchiveException(where + " names " + d.digest() + ", which the archive does not contain");
    }
    checkBytes(bytes, d, where);
    return bytes;
  }

  static void checkBytes(byte[] bytes, Descriptor d, String where) {
    if (bytes.length != d.size()) {
      throw new ArchiveException("blob " + d.digest() + ": size " + bytes.length + " != " + d.size()
          + " declared in " + where);
    }
    Digest actual = Digest.sha256(bytes);
    if (!actual.equals(d.digest())) {
      throw new ArchiveException("blob " + d.digest() + ": its content has digest " + actual
          + " (the archive is corrupt or was changed)");
    }
  }
}
