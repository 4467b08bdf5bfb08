package dev.dcont.store.model;

import java.util.List;

/** A media type of the OCI image spec or Docker's image manifest v2. */
public record MediaType(String value) {
  public static final MediaType OCI_MANIFEST = new MediaType("application/vnd.oci.image.manifest.v1+json");
  public static final MediaType OCI_INDEX = new MediaType("application/vnd.oci.image.index.v1+json");
  public static final MediaType OCI_CONFIG = new MediaType("application/vnd.oci.image.config.v1+json");
  public static final MediaType OCI_LAYER = new MediaType("application/vnd.oci.image.layer.v1.tar");
  public static final MediaType OCI_LAYER_GZIP = new MediaType("application/vnd.oci.image.layer.v1.tar+gzip");
  public static final MediaType OCI_LAYER_ZSTD = new MediaType("application/vnd.oci.image.layer.v1.tar+zstd");
  public static final MediaType OCI_LAYER_NONDIST_GZIP =
      new MediaType("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
  public static final MediaType DOCKER_MANIFEST =
      new MediaType("application/vnd.docker.distribution.manifest.v2+json");
  public static final MediaType DOCKER_MANIFEST_LIST =
      new MediaType("application/vnd.docker.distribution.manifest.list.v2+json");
  public static final MediaType DOCKER_CONFIG = new MediaType("application/vnd.docker.container.image.v1+json");
  public static final MediaType DOCKER_LAYER_GZIP =
      new MediaType("application/vnd.docker.image.rootfs.diff.tar.gzip");
  public static final MediaType DOCKER_LAYER_FOREIGN_GZIP =
      new MediaType("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
  public static final MediaType DOCKER_SCHEMA1 =
      new MediaType("application/vnd.docker.distribution.manifest.v1+json");
  public static final MediaType DOCKER_SCHEMA1_SIGNED =
      new MediaType("application/vnd.docker.distribution.manifest.v1+prettyjws");

  /** The four manifest types a pull accepts, in order of preference. */
  public static final List<MediaType> MANIFEST_TYPES =
      List.of(OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

  public enum Compression { NONE, GZIP, ZSTD }

  public MediaType {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("media type is missing");
    }
  }

  public static MediaType of(String value) {
    return new MediaType(value.strip());
  }

  public boolean isIndex() {
    return equals(OCI_INDEX) || equals(DOCKER_MANIFEST_LIST);
  }

  public boolean isManifest() {
    return equals(OCI_MANIFEST) || equals(DOCKER_MANIFEST);
  }

  public boolean isSchema1() {
    return equals(DOCKER_SCHEMA1) || equals(DOCKER_SCHEMA1_SIGNED) || value.equals("application/json");
  }

  public boolean isLayer() {
    return value.startsWith("application/vnd.oci.image.layer.")
        || value.startsWith("application/vnd.docker.image.rootfs.");
  }

  /** Compression of a layer blob of this type. */
  public Compression compression() {
    if (value.endsWith("+zstd") || value.endsWith(".zstd")) {
      return Compression.ZSTD;
    }
    if (value.endsWith("gzip")) {
      return Compression.GZIP;
    }
    if (value.endsWith(".tar")) {
      return Compression.NONE;
    }
    throw new IllegalArgumentException("media type " + value + " is not a known layer type");
  }

  @Override
  public String toString() {
    return value;
  }
}
