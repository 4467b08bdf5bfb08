package dev.dcont.store.model;

import java.util.List;
import java.util.Map;

/** An image manifest (OCI image manifest or Docker image manifest v2 schema 2). */
public record Manifest(
    int schemaVersion,
    MediaType mediaType,
    String artifactType,
    Descriptor config,
    List<Descriptor> layers,
    Descriptor subject,
    Map<String, String> annotations) {

  public Manifest {
    layers = layers == null ? List.of() : Json.copyOf(layers, "layers");
    annotations = annotations == null ? Map.of() : Json.copyOf(annotations, "annotations");
  }

  /** Parses and checks a manifest's shape; {@code what} names it in errors. */
  public static Manifest parse(byte[] json, String what) {
    Manifest m = Json.read(json, Manifest.class, what);
    if (m.schemaVersion() != 2) {
      throw new IllegalArgumentException(what + ": schemaVersion " + m.schemaVersion() + " is not supported (expected 2)");
    }
    if (m.config() == null) {
      throw new IllegalArgumentException(what + ": manifest has no config descriptor");
    }
    for (Descriptor l : m.layers()) {
      if (l.mediaType() == null) {
        throw new IllegalArgumentException(what + ": layer " + l.digest() + " has no mediaType");
      }
    }
    return m;
  }

  public long totalLayerSize() {
    return layers.stream().mapToLong(Descriptor::size).sum();
  }
}
