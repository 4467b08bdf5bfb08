package dev.dcont.registry;

import dev.dcont.store.model.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw HTTP upload endpoint of one repository {@code r} that keeps what a cut request delivered, as the
 * distribution spec lets a registry do (docker-registry drops such an upload instead): the status request reports
 * it in {@code Range}, and a chunk must start where the upload stands (else 416). The first PATCH is broken off
 * after {@code cutAt} bytes of its body. One request per connection.
 */
final class ResumableUploadServer implements AutoCloseable {
  private final ServerSocket server;
  private final int cutAt;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private boolean cut;
  private Digest committed;
  /** "METHOD path-without-query [Content-Range]" of each request, in order. */
  final List<String> requests = new CopyOnWriteArrayList<>();

  ResumableUploadServer(int cutAt) throws IOException {
    this.cutAt = cutAt;
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serve, "resumable-upload-server");
    t.setDaemon(true);
    t.start();
  }

  String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  synchronized byte[] received() {
    return received.toByteArray();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        handle(s);
      } catch (IOException e) {
        // the next connection
      }
    }
  }

  private synchronized void handle(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    String head = readHead(in);
    if (head == null) {
      return;
    }
    String[] lines = head.split("\r\n");
    String method = lines[0].split(" ")[0];
    String target = lines[0].split(" ")[1];
    String path = target.split("\\?")[0];
    long length = 0;
    String range = null;
    for (String l : lines) {
      String lower = l.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(l.substring(15).strip());
      } else if (lower.startsWith("content-range:")) {
        range = l.substring(14).strip();
      }
    }
    requests.add(method + " " + path + (range == null ? "" : " " + range));
    OutputStream out = s.getOutputStream();
    String upload = "/v2/r/blobs/uploads/u1";
    String state = "Location: " + upload + "\r\nRange: 0-" + Math.max(0, received.size() - 1) + "\r\n";
    if (method.equals("POST")) {
      answer(out, "202 Accepted", state);
    } else if (method.equals("HEAD")) {
      boolean have = committed != null && path.endsWith(committed.toString());
      answer(out, have ? "200 OK" : "404 Not Found", "");
    } else if (method.equals("GET")) {
      answer(out, "204 No Content", state);
    } else if (method.equals("PATCH")) {
      long start = Long.parseLong(range.split("-")[0]);
      if (start != received.size()) {
        in.skipNBytes(length);
        answer(out, "416 Range Not Satisfiable", state);
        return;
      }
      if (!cut) {
        cut = true;
        received.write(in.readNBytes(cutAt));
        // no answer: the connection breaks off in the middle of the chunk
        return;
      }
      received.write(in.readNBytes((int) length));
      answer(out, "202 Accepted", "Location: " + upload + "\r\nRange: 0-" + (received.size() - 1) + "\r\n");
    } else if (method.equals("PUT")) {
      // the closing request may carry the last chunk, which must start where the upload stands
      if (length > 0 && (range == null || Long.parseLong(range.split("-")[0]) != received.size())) {
        in.skipNBytes(length);
        answer(out, "416 Range Not Satisfiable", state);
        return;
      }
      received.write(in.readNBytes((int) length));
      String digest = java.net.URLDecoder.decode(target.substring(target.indexOf("digest=") + 7),
          StandardCharsets.UTF_8);
      if (Digest.sha256(received.toByteArray()).toString().equals(digest)) {
        committed = Digest.parse(digest);
        answer(out, "201 Created", "Docker-Content-Digest: " + digest + "\r\n");
      } else {
        answer(out, "400 Bad Request", "");
      }
    } else {
      answer(out, "405 Method Not Allowed", "");
    }
  }

  private static void answer(OutputStream out, String status, String headers) throws IOException {
    out.write(("HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: 0\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    while (!b.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b.append((char) c);
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
