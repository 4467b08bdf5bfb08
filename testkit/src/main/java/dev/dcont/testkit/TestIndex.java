package dev.dcont.testkit;

import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A multi-platform index (OCI) or manifest list (Docker) over test images. */
public record TestIndex(List<TestImage> images, byte[] index, MediaType mediaType) {
  public static TestIndex of(boolean oci, List<TestImage> images) {
    MediaType mt = oci ? MediaType.OCI_INDEX : MediaType.DOCKER_MANIFEST_LIST;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    m.put("mediaType", mt.toString());
    m.put("manifests", images.stream().map(TestImage::descriptor).toList());
    return new TestIndex(List.copyOf(images), Json.write(m), mt);
  }

  /** Adds raw descriptors (attestations, unknown platforms) after the images. */
  public static TestIndex withExtra(boolean oci, List<TestImage> images, List<Descriptor> extra) {
    MediaType mt = oci ? MediaType.OCI_INDEX : MediaType.DOCKER_MANIFEST_LIST;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    m.put("mediaType", mt.toString());
    List<Descriptor> all = new java.util.ArrayList<>(images.stream().map(TestImage::descriptor).toList());
    all.addAll(extra);
    m.put("manifests", all);
    return new TestIndex(List.copyOf(images), Json.write(m), mt);
  }

  public Digest digest() {
    return Digest.sha256(index);
  }
}
