package dev.dcont.store.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** An OCI content descriptor: what a blob is, its digest and its exact size. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Descriptor(
    MediaType mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    Platform platform,
    String artifactType) {

  public Descriptor {
    if (digest == null) {
      throw new IllegalArgumentException("descriptor without digest");
    }
    if (size < 0) {
      throw new IllegalArgumentException("descriptor " + digest + " has negative size " + size);
    }
    urls = urls == null ? List.of() : List.copyOf(urls);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public Descriptor(MediaType mediaType, Digest digest, long size) {
    this(mediaType, digest, size, null, null, null, null);
  }

  public String annotation(String key) {
    return annotations.get(key);
  }
}
