package dev.dcont.testkit;

import java.io.BufferedInputStream;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder in front of a loopback registry that reads the requests going through it (request line,
 * headers, and a body of the given {@code Content-Length}), records each, and can cut the connection in the middle
 * of a request body: {@link #cutRequestBody} arms a cut of the next request of a method once that many of its body
 * bytes have gone on to the registry. It forwards request bodies, which {@link RecordingProxy} does not, so pushes
 * go through it.
 */
public final class CuttingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String upstreamHost;
  private final int upstreamPort;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicReference<String> cutMethod =
      new java.util.concurrent.atomic.AtomicReference<>();
  private volatile long cutAfter;
  private final AtomicInteger cuts = new AtomicInteger();

  /** One request as it went through; {@code cut}: the proxy broke it off in its body. */
  public record Request(String method, String path, String contentRange, long bodyBytes, boolean cut) { }

  public CuttingProxy(String upstreamHostPort) throws IOException {
    int colon = upstreamHostPort.lastIndexOf(':');
    upstreamHost = upstreamHostPort.substring(0, colon);
    upstreamPort = Integer.parseInt(upstreamHostPort.substring(colon + 1));
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "cutting-proxy");
    t.setDaemon(true);
    t.start();
  }

  /** {@code 127.0.0.1:PORT}. */
  public String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /**
   * The next request with {@code method} and a body longer than {@code afterBytes} is cut once that many bytes of
   * its body went on to the registry.
   */
  public void cutRequestBody(String method, long afterBytes) {
    cutAfter = afterBytes;
    cutMethod.set(method);
  }

  /** How many requests were cut. */
  public int cuts() {
    return cuts.get();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(upstreamHost, upstreamPort);
        open.add(client);
        open.add(upstream);
        Thread back = new Thread(() -> pump(upstream, client), "cutting-proxy-back");
        back.setDaemon(true);
        back.start();
        Thread forth = new Thread(() -> forward(client, upstream), "cutting-proxy-forth");
        forth.setDaemon(true);
        forth.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException ignored) {
      // one side closed: the other goes too
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /** Client to registry, request by request, recording each and cutting one when armed. */
  private void forward(Socket client, Socket upstream) {
    try (InputStream in = new BufferedInputStream(client.getInputStream()); OutputStream out = upstream.getOutputStream()) {
      while (true) {
        byte[] head = readHead(in);
        if (head == null) {
          return;
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        String[] first = lines[0].split(" ");
        String method = first[0];
        String path = first.length > 1 ? first[1] : "";
        long length = 0;
        String range = null;
        boolean chunked = false;
        for (String l : lines) {
          String lower = l.toLowerCase(Locale.ROOT);
          if (lower.startsWith("content-length:")) {
            length = Long.parseLong(l.substring(15).strip());
          } else if (lower.startsWith("content-range:")) {
            range = l.substring(14).strip();
          } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
            chunked = true;
          }
        }
        out.write(head);
        out.flush();
        if (chunked) {
          requests.add(new Request(method, path, range, -1, false));
          pump(client, upstream);
          return;
        }
        String wanted = cutMethod.get();
        boolean armed = length > cutAfter && method.equals(wanted) && cutMethod.compareAndSet(wanted, null);
        long limit = armed ? Math.min(cutAfter, length) : length;
        long sent = copy(in, out, limit);
        if (armed && sent < length) {
          requests.add(new Request(method, path, range, sent, true));
          cuts.incrementAndGet();
          closeQuietly(client);
          closeQuietly(upstream);
          return;
        }
        requests.add(new Request(method, path, range, sent, false));
        if (sent < length) {
          return;
        }
      }
    } catch (IOException ignored) {
      // a side closed
    } finally {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private static long copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long done = 0;
    while (done < n) {
      int got = in.read(buf, 0, (int) Math.min(buf.length, n - done));
      if (got < 0) {
        break;
      }
      out.write(buf, 0, got);
      done += got;
    }
    out.flush();
    return done;
  }

  /** The request line and headers up to the blank line, or null at the end of the stream. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1
          : c == '\r' ? 1 : 0;
    }
    return b.toByteArray();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      closeQuietly(s);
    }
  }
}
