package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.ContainerLog.Chunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLogTest {
  @TempDir
  Path dir;

  /** A record as the monitor writes it. */
  private static byte[] record(int stream, long time, String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(stream);
    for (int i = 0; i < 8; i++) {
      b.write((int) (time >>> (56 - 8 * i)));
    }
    for (int i = 0; i < 4; i++) {
      b.write(data.length >>> (24 - 8 * i));
    }
    b.writeBytes(data);
    return b.toByteArray();
  }

  private static List<Chunk> drain(ContainerLog log) throws IOException {
    List<Chunk> all = new ArrayList<>();
    List<Chunk> got;
    while (!(got = log.poll()).isEmpty()) {
      all.addAll(got);
    }
    return all;
  }

  @Test
  void recordsAppendedPieceByPieceAreReadWhole() throws Exception {
    Path f = dir.resolve("container.log");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(ContainerLog.MAGIC);
    all.writeBytes(record(1, 1_700_000_000_123_456_789L, "hello\n"));
    all.writeBytes(record(2, 1_700_000_001_000_000_000L, "oops\n"));
    byte[] bytes = all.toByteArray();
    Files.write(f, new byte[0]);
    try (InputStream in = Files.newInputStream(f); OutputStream out = Files.newOutputStream(f,
        StandardOpenOption.APPEND)) {
      ContainerLog log = new ContainerLog(in);
      List<Chunk> seen = new ArrayList<>();
      // appended a few bytes at a time, as a reader following a running container sees it
      for (int i = 0; i < bytes.length; i += 5) {
        out.write(bytes, i, Math.min(5, bytes.length - i));
        out.flush();
        seen.addAll(drain(log));
      }
      assertEquals(2, seen.size(), seen.toString());
      assertEquals(1, seen.get(0).stream());
      assertEquals(1_700_000_000_123_456_789L, seen.get(0).timeNanos());
      assertArrayEquals("hello\n".getBytes(StandardCharsets.UTF_8), seen.get(0).data());
      assertEquals(2, seen.get(1).stream());
      assertArrayEquals("oops\n".getBytes(StandardCharsets.UTF_8), seen.get(1).data());
    }
  }

  @Test
  void aLogLargerThanTheBufferIsReadInFull() throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(ContainerLog.MAGIC);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      String line = "line " + i + "\n";
      expected.append(line);
      all.writeBytes(record(1 + i % 2, i, line));
    }
    Path f = dir.resolve("big.log");
    Files.write(f, all.toByteArray());
    try (InputStream in = Files.newInputStream(f)) {
      List<Chunk> chunks = drain(new ContainerLog(in));
      assertEquals(20_000, chunks.size());
      StringBuilder got = new StringBuilder();
      for (Chunk c : chunks) {
        got.append(new String(c.data(), StandardCharsets.UTF_8));
      }
      assertEquals(expected.toString(), got.toString());
      assertEquals(2, chunks.get(19_999).stream());
    }
  }

  @Test
  void aLogWithoutTheHeaderIsPlainOutput() throws Exception {
    Path f = dir.resolve("old.log");
    Files.writeString(f, "written by an older dcont\n");
    try (InputStream in = Files.newInputStream(f)) {
      List<Chunk> chunks = drain(new ContainerLog(in));
      assertEquals(1, chunks.size());
      assertEquals(Chunk.STDOUT, chunks.get(0).stream());
      assertEquals("written by an older dcont\n", new String(chunks.get(0).data(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void aHeaderNotYetWholeWaitsAndADamagedRecordIsAnError() throws Exception {
    Path f = dir.resolve("new.log");
    Files.write(f, java.util.Arrays.copyOf(ContainerLog.MAGIC, 4));
    try (InputStream in = Files.newInputStream(f)) {
      assertTrue(new ContainerLog(in).poll().isEmpty(), "a header being written is no output");
    }
    byte[] bad = record(7, 0, "x");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(ContainerLog.MAGIC);
    all.writeBytes(bad);
    Files.write(f, all.toByteArray());
    try (InputStream in = Files.newInputStream(f)) {
      IOException e = assertThrows(IOException.class, () -> new ContainerLog(in).poll());
      assertTrue(e.getMessage().contains("damaged record"), e.getMessage());
    }
  }
}
