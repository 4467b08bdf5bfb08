package dev.dcont.layers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Run in a JVM of its own by {@link IgzipShimTest}: loads the shim as an installed dcont does, and uses it. */
public final class IgzipProbe {
  private IgzipProbe() { }

  public static void main(String[] args) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(b)) {
      z.write("through igzip".getBytes(StandardCharsets.UTF_8));
    }
    try (InputStream in = Igzip.decompress(new ByteArrayInputStream(b.toByteArray()))) {
      System.out.println("available=" + Igzip.available() + " stream=" + (in instanceof Igzip.Stream)
          + " text=" + new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
