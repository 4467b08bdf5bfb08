package dev.dcont.registry.endpoint;

import dev.dcont.store.model.Digest;
import dev.dcont.store.model.ImageIndex;
import dev.dcont.store.model.Manifest;
import dev.dcont.store.model.MediaType;

/** A manifest or index exactly as the registry sent it, with its checked digest and type. */
public record FetchedManifest(Digest digest, MediaType mediaType, byte[] bytes) {
  public boolean isIndex() {
    return mediaType.isIndex();
  }

  public ImageIndex index() {
    return ImageIndex.parse(bytes, "index " + digest);
  }

  public Manifest manifest() {
    return Manifest.parse(bytes, "manifest " + digest);
  }

  public long size() {
    return bytes.length;
  }
}
