package dev.dcont.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a tar block by block, for headers no tar library writes: PAX records with any value (a negative
 * size), global headers of any size or number, GNU long names of any length, numbers in base-256.
 */
public final class RawTar {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** A ustar header with octal numbers; {@code size} is written as given and no data follows. */
  public RawTar header(String name, char type, long size) {
    byte[] h = block(name, type);
    put(h, 124, String.format("%011o", size));
    return checksum(h);
  }

  /** A ustar header whose 12-byte size field holds {@code size} as GNU base-256 bytes (first byte's high bit set). */
  public RawTar base256SizeHeader(String name, char type, byte[] size) {
    byte[] h = block(name, type);
    if (size.length != 12 || (size[0] & 0x80) == 0) {
      throw new IllegalArgumentException("base-256 size takes 12 bytes with the marker bit");
    }
    System.arraycopy(size, 0, h, 124, 12);
    return checksum(h);
  }

  /** A regular file with its data. */
  public RawTar file(String name, byte[] data) {
    header(name, '0', data.length);
    return data(data);
  }

  /** A PAX header ({@code type} 'x' per file, 'g' global) carrying {@code records} in their order. */
  public RawTar pax(char type, Map<String, String> records) {
    ByteArrayOutputStream d = new ByteArrayOutputStream();
    records.forEach((k, v) -> d.writeBytes(record(k, v)));
    return extended(type == 'g' ? "pax_global_header" : "PaxHeaders/x", type, d.toByteArray());
  }

  /** An extended header ('x', 'g', 'L' or 'K') with {@code data} as its content. */
  public RawTar extended(String name, char type, byte[] data) {
    header(name, type, data.length);
    return data(data);
  }

  /** One PAX record, {@code "LEN key=value\n"}, its length counting its own digits. */
  public static byte[] record(String key, String value) {
    byte[] body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
    int len = body.length + 1;
    while (Integer.toString(len).length() + body.length != len) {
      len++;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(body);
    return b.toByteArray();
  }

  /** The archive: what was written and the two zero blocks that end it. */
  public byte[] build() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(out.toByteArray());
    b.writeBytes(new byte[1024]);
    return b.toByteArray();
  }

  private RawTar data(byte[] data) {
    out.writeBytes(data);
    out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    return this;
  }

  private static byte[] block(String name, char type) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(n, 0, h, 0, Math.min(n.length, 100));
    put(h, 100, "0000644");
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, "00000000000");
    put(h, 136, String.format("%011o", 1_700_000_000L));
    h[156] = (byte) type;
    put(h, 257, "ustar");
    put(h, 263, "00");
    return h;
  }

  private RawTar checksum(byte[] h) {
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte x : h) {
      sum += x & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    out.writeBytes(h);
    return this;
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }
}
