package dev.dcont.registry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw HTTP server (WireMock rewrites Content-Length, so it cannot cut a body short) whose first answer
 * promises the whole blob and breaks off after {@code cut} bytes; the second answers the range request
 * with 206, or, when {@code honourRange} is false, ignores it and sends everything (200). A stalling server
 * keeps the first connection open after the cut, sending nothing more, until the client gives up on it.
 */
final class CuttingBlobServer implements AutoCloseable {
  private final ServerSocket server;
  private final byte[] blob;
  private final int cut;
  private final boolean honourRange;
  private final boolean stall;
  /** The Range header of each request ("" when none), in order. */
  final List<String> ranges = new CopyOnWriteArrayList<>();

  CuttingBlobServer(byte[] blob, int cut, boolean honourRange) throws IOException {
    this(blob, cut, honourRange, false);
  }

  CuttingBlobServer(byte[] blob, int cut, boolean honourRange, boolean stall) throws IOException {
    this.stall = stall;
    this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    this.blob = blob;
    this.cut = cut;
    this.honourRange = honourRange;
    Thread t = new Thread(this::serve, "cutting-blob-server");
    t.setDaemon(true);
    t.start();
  }

  /** {@code 127.0.0.1:PORT}. */
  String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  private void serve() {
    int size = blob.length;
    for (int i = 0; i < 2; i++) {
      try (Socket s = server.accept()) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String range = "";
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
          if (line.toLowerCase(Locale.ROOT).startsWith("range:")) {
            range = line.substring(6).strip();
          }
        }
        ranges.add(range);
        OutputStream out = s.getOutputStream();
        if (range.isEmpty()) {
          out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(blob, 0, cut);
          out.flush();
          if (stall) {
            // silence, until the client closes its end
            while (s.getInputStream().read() >= 0) {
              continue;
            }
          }
          // closing now ends the stream short of its Content-Length: a dropped connection
        } else if (honourRange) {
          int from = Integer.parseInt(range.substring(6, range.length() - 1));
          out.write(("HTTP/1.1 206 Partial Content\r\nContent-Length: " + (size - from) + "\r\nContent-Range: bytes "
              + from + "-" + (size - 1) + "/" + size + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.write(blob, from, size - from);
        } else {
          out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.write(blob);
        }
        out.flush();
      } catch (IOException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
