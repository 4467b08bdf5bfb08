package dev.dcont.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An HTTP forwarder in front of a loopback registry that records every request, can slow
 * responses down to a byte rate, and can cut a response at a chosen byte ({@link #cutNext}), so that
 * tests can cut or race downloads.
 */
public final class RecordingProxy implements AutoCloseable {
  private final HttpServer server;
  private final PlainHttpFront front;
  private final String upstream;
  private volatile long bytesPerSecond;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Cut> cuts = new CopyOnWriteArrayList<>();

  /** A response to break off: the next one whose path contains {@code pathPart}, after {@code bodyBytes}. */
  private record Cut(String pathPart, long bodyBytes) { }

  /** One request as the proxy saw it. */
  public record Request(String method, String path, String range, int status) { }

  public RecordingProxy(String upstreamHostPort) throws IOException {
    this.upstream = "http://" + upstreamHostPort;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "recording-proxy");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
    server.start();
    front = new PlainHttpFront(server.getAddress());
  }

  public String host() {
    return "127.0.0.1:" + front.port();
  }

  /** Limits response bodies to this many bytes per second (0: unlimited). */
  public void throttle(long bps) {
    bytesPerSecond = bps;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /**
   * Breaks off the next response to a request whose path contains {@code pathPart}: its headers promise the
   * whole body (Content-Length), then the connection closes after {@code bodyBytes} bytes of it; with -1, before
   * any byte of the response. Cuts queue up: each one is used once, in the order given.
   */
  public void cutNext(String pathPart, long bodyBytes) {
    cuts.add(new Cut(pathPart, bodyBytes));
  }

  /** Cuts not used yet. */
  public int pendingCuts() {
    return cuts.size();
  }

  private Cut takeCut(String path) {
    for (Cut c : cuts) {
      if (path.contains(c.pathPart()) && cuts.remove(c)) {
        return c;
      }
    }
    return null;
  }

  public void clear() {
    requests.clear();
  }

  public long count(String method, String pathContains) {
    return requests.stream().filter(r -> r.method().equals(method) && r.path().contains(pathContains)).count();
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().toString();
    HttpURLConnection c = (HttpURLConnection) URI.create(upstream + path).toURL().openConnection();
    c.setInstanceFollowRedirects(false);
    c.setRequestMethod(method);
    Cut cut = takeCut(path);
    for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
      String k = h.getKey();
      if (k.equalsIgnoreCase("Host") || k.equalsIgnoreCase("Connection") || k.equalsIgnoreCase("Content-Length")
          || (cut != null && k.equalsIgnoreCase("Accept-Encoding"))) {
        // a body to cut is sent as it is, with its length, so that the cut falls where asked
        continue;
      }
      for (String v : h.getValue()) {
        c.addRequestProperty(k, v);
      }
    }
    int status = c.getResponseCode();
    requests.add(new Request(method, path, ex.getRequestHeaders().getFirst("Range"), status));
    if (cut != null && cut.bodyBytes() < 0) {
      // the server closes the connection of a handler that fails: the client sees no byte of an answer
      throw new IOException("cut before the response (test)");
    }
    for (Map.Entry<String, List<String>> h : c.getHeaderFields().entrySet()) {
      if (h.getKey() == null || h.getKey().equalsIgnoreCase("Transfer-Encoding")
          || h.getKey().equalsIgnoreCase("Content-Length") || h.getKey().equalsIgnoreCase("Connection")) {
        continue;
      }
      ex.getResponseHeaders().put(h.getKey(), h.getValue());
    }
    long len = c.getContentLengthLong();
    boolean noBody = method.equals("HEAD") || status == 204 || status == 304;
    if (noBody) {
      if (len >= 0) {
        ex.getResponseHeaders().set("Content-Length", Long.toString(len));
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
      return;
    }
    if (cut != null) {
      byte[] body;
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        body = in == null ? new byte[0] : in.readAllBytes();
      }
      ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      OutputStream out = ex.getResponseBody();
      out.write(body, 0, (int) Math.min(cut.bodyBytes(), Math.max(0, body.length - 1)));
      out.flush();
      // thrown, not closed: the server drops the connection short of the promised length
      throw new IOException("response cut (test)");
    }
    ex.sendResponseHeaders(status, len < 0 ? 0 : len == 0 ? -1 : len);
    try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        OutputStream out = ex.getResponseBody()) {
      if (in == null) {
        return;
      }
      byte[] buf = new byte[16 * 1024];
      long start = System.nanoTime();
      long sent = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        sent += n;
        long bps = bytesPerSecond;
        if (bps > 0) {
          out.flush();
          long due = start + sent * 1_000_000_000L / bps;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            try {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }
      }
    } catch (IOException clientGone) {
      // the client hung up (a killed pull): nothing to do
    } finally {
      ex.close();
    }
  }

  @Override
  public void close() {
    front.close();
    server.stop(0);
  }
}
