package dev.dcont.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** igzip decompresses exactly what java.util.zip does and refuses what it refuses. */
class IgzipTest {
  @BeforeEach
  void needsIgzip() {
    if (!Igzip.available()) {
      // CI installs ISA-L (libisal-dev): there the fast path must be the one under test
      assertTrue(System.getenv("CI") == null, "igzip (ISA-L) is not available under CI=true: install libisal-dev");
      Assumptions.abort("ISA-L not installed (apt-get install libisal-dev), gzip layers use java.util.zip");
    }
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(b)) {
      z.write(data);
    }
    return b.toByteArray();
  }

  private static byte[] sample(int size, long seed) {
    Random r = new Random(seed);
    byte[] d = new byte[size];
    for (int i = 0; i < size; i++) {
      d[i] = (byte) (i % 3 == 0 ? r.nextInt(256) : "tar layer content ".charAt(i % 18)); // half compressible
    }
    return d;
  }

  private static byte[] viaIgzip(byte[] gz, int readSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = Igzip.decompress(new ByteArrayInputStream(gz))) {
      byte[] buf = new byte[readSize];
      int n;
      while ((n = readSize == 1 ? oneByte(in, buf) : in.read(buf, 0, buf.length)) >= 0) {
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  private static int oneByte(InputStream in, byte[] buf) throws IOException {
    int c = in.read();
    if (c < 0) {
      return -1;
    }
    buf[0] = (byte) c;
    return 1;
  }

  private static byte[] viaJdk(byte[] gz) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @Test
  void decompressesWhatTheJdkDecompresses() throws IOException {
    assertTrue(Igzip.decompress(new ByteArrayInputStream(gzip(new byte[1]))) instanceof Igzip.Stream);
    for (int size : new int[] {0, 1, 1000, 5_000_000}) {
      byte[] data = sample(size, size);
      byte[] gz = gzip(data);
      assertArrayEquals(viaJdk(gz), viaIgzip(gz, 65536), "size " + size);
      assertArrayEquals(data, viaIgzip(gz, 7), "size " + size + ", small reads");
    }
    byte[] small = sample(3000, 9);
    assertArrayEquals(small, viaIgzip(gzip(small), 1), "byte by byte");
  }

  @Test
  void readsEveryMemberOfAConcatenatedStream() throws IOException {
    byte[] a = sample(300_000, 1);
    byte[] b = "second member".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream cat = new ByteArrayOutputStream();
    cat.write(gzip(a));
    cat.write(gzip(b));
    cat.write(gzip(new byte[0]));
    byte[] want = viaJdk(cat.toByteArray());
    assertEquals(a.length + b.length, want.length);
    assertArrayEquals(want, viaIgzip(cat.toByteArray(), 4096));
  }

  @Test
  void refusesCorruptTruncatedAndForeignData() throws IOException {
    byte[] gz = gzip(sample(200_000, 3));
    byte[] flipped = gz.clone();
    flipped[gz.length / 2] ^= 0x5a;
    assertThrows(ZipException.class, () -> viaIgzip(flipped, 65536), "corrupt deflate data");
    byte[] badCrc = gz.clone();
    badCrc[gz.length - 6] ^= 0x01; // CRC-32 in the trailer
    assertThrows(ZipException.class, () -> viaIgzip(badCrc, 65536), "wrong CRC-32");
    byte[] badSize = gz.clone();
    badSize[gz.length - 2] ^= 0x01; // ISIZE in the trailer
    assertThrows(ZipException.class, () -> viaIgzip(badSize, 65536), "wrong size");
    byte[] cut = java.util.Arrays.copyOf(gz, gz.length - 100);
    assertThrows(EOFException.class, () -> viaIgzip(cut, 65536), "truncated");
    assertThrows(EOFException.class, () -> viaIgzip(new byte[0], 65536), "empty");
    assertThrows(ZipException.class, () -> viaIgzip("not gzip at all, a tar maybe".getBytes(StandardCharsets.UTF_8),
        65536), "not gzip");
  }
}
