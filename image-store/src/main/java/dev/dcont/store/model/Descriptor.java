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
      throw new IllegalArgumentException("descriptor without a digest (it needs mediaType, digest and size)");
    }
    if (size < 0) {
      throw new IllegalArgumentException("descriptor " + digest + " has size " + size + " (a size is at least 0)");
    }
    // absent stays null, so that a descriptor is written back without the members it did not have
    urls = urls == null ? null : Json.copyOf(urls, "urls");
    annotations = annotations == null ? null : Json.copyOf(annotations, "annotations");
  }

  public Descriptor(MediaType mediaType, Digest digest, long size) {
    this(mediaType, digest, size, null, null, null, null);
  }

  public String annotation(String key) {
    return annotations == null ? null : annotations.get(key);
  }
}
