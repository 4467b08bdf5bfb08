package dev.dcont.store.model;

import java.util.List;
import java.util.Map;

/** An OCI content descriptor: what a blob is, its digest and its exact size. */
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
    // absent stays null, so that a descriptor is written back without the members it did not have
    urls = urls == null ? null : List.copyOf(urls);
    annotations = annotations == null ? null : Map.copyOf(annotations);
  }

  public Descriptor(MediaType mediaType, Digest digest, long size) {
    this(mediaType, digest, size, null, null, null, null);
  }

  public String annotation(String key) {
    return annotations == null ? null : annotations.get(key);
  }
}
