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
 * An HTTP forwarder in front of a loopback registry that records every request and can slow
 * responses down to a byte rate, so that tests can cut or race downloads.
 */
public final class RecordingProxy implements AutoCloseable {
  private final HttpServer server;
  private final String upstream;
  private volatile long bytesPerSecond;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

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
  }

  public String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Limits response bodies to this many bytes per second (0: unlimited). */
  public void throttle(long bps) {
    bytesPerSecond = bps;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
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
    for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
      String k = h.getKey();
      if (k.equalsIgnoreCase("Host") || k.equalsIgnoreCase("Connection") || k.equalsIgnoreCase("Content-Length")) {
        continue;
      }
      for (String v : h.getValue()) {
        c.addRequestProperty(k, v);
      }
    }
    int status = c.getResponseCode();
    requests.add(new Request(method, path, ex.getRequestHeaders().getFirst("Range"), status));
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
    server.stop(0);
  }
}
