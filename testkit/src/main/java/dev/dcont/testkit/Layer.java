package dev.dcont.testkit;

import com.github.luben.zstd.ZstdOutputStream;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** A layer blob built for tests: compressed bytes, their digest and the diff ID of the tar. */
public record Layer(byte[] blob, Digest digest, Digest diffId, MediaType mediaType) {
  public enum Compression { NONE, GZIP, ZSTD }

  public static Layer of(byte[] tar, Compression c, boolean oci) {
    byte[] blob = switch (c) {
      case NONE -> tar;
      case GZIP -> compress(tar, false);
      case ZSTD -> compress(tar, true);
    };
    MediaType mt = switch (c) {
      case NONE -> oci ? MediaType.OCI_LAYER : MediaType.of("application/vnd.docker.image.rootfs.diff.tar");
      case GZIP -> oci ? MediaType.OCI_LAYER_GZIP : MediaType.DOCKER_LAYER_GZIP;
      case ZSTD -> MediaType.OCI_LAYER_ZSTD;
    };
    return new Layer(blob, Digest.sha256(blob), Digest.sha256(tar), mt);
  }

  public Descriptor descriptor() {
    return new Descriptor(mediaType, digest, blob.length);
  }

  private static byte[] compress(byte[] data, boolean zstd) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream out = zstd ? new ZstdOutputStream(bos) : new GZIPOutputStream(bos)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }
}
