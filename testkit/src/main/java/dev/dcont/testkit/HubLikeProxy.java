package dev.dcont.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Behaves like Docker Hub in front of any registry (a loopback {@code docker-registry}, WireMock):
 * the API port answers with a Bearer challenge and issues tokens at {@code /token} (optionally
 * only for one user and password), proxies manifests to the upstream, answers blob requests
 * with a 307 to a second "CDN" port, which serves them from the upstream (Range included) and,
 * like S3, refuses requests that carry an Authorization header. Can inject 429s with
 * {@code Retry-After} on manifest requests, as Hub's pull rate limit does.
 */
public final class HubLikeProxy implements AutoCloseable {
  private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");
  private static final Pattern BLOB = Pattern.compile("/v2/(.+)/blobs/([^/]+)");
  private static final Pattern CDN_BLOB = Pattern.compile("/cdn/(.+)/(sha256:[a-f0-9]{64})");

  private final String upstream;
  private final HttpServer api;
  private final HttpServer cdn;
  private final PlainHttpFront apiFront;
  private final PlainHttpFront cdnFront;
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final AtomicInteger tokenCounter = new AtomicInteger();
  private final AtomicInteger pending429 = new AtomicInteger();
  private final List<Long> tokenCuts = new CopyOnWriteArrayList<>();
  private volatile String retryAfter = "1";
  private volatile String user;
  private volatile String password;
  /** Requests seen, as {@code "api GET /v2/…"} or {@code "cdn GET /cdn/… auth=false range=…"}. */
  public final List<String> log = new CopyOnWriteArrayList<>();
  public final AtomicInteger cdnRequests = new AtomicInteger();
  public final AtomicInteger cdnRequestsWithAuthorization = new AtomicInteger();
  public final AtomicInteger challenges = new AtomicInteger();

  private HubLikeProxy(String upstreamBase) throws IOException {
    this.upstream = upstreamBase.endsWith("/") ? upstreamBase.substring(0, upstreamBase.length() - 1) : upstreamBase;
    InetAddress lo = InetAddress.getLoopbackAddress();
    api = HttpServer.create(new InetSocketAddress(lo, 0), 50);
    cdn = HttpServer.create(new InetSocketAddress(lo, 0), 50);
    api.createContext("/", this::handleApi);
    cdn.createContext("/", this::handleCdn);
    api.setExecutor(Executors.newCachedThreadPool());
    cdn.setExecutor(Executors.newCachedThreadPool());
    api.start();
    cdn.start();
    apiFront = new PlainHttpFront(api.getAddress());
    cdnFront = new PlainHttpFront(cdn.getAddress());
  }

  /** Starts both ports in front of {@code upstreamBase} (e.g. {@code http://127.0.0.1:5000}). */
  public static HubLikeProxy start(String upstreamBase) throws IOException {
    return new HubLikeProxy(upstreamBase);
  }

  /** From now on tokens are issued only for this user (Basic to the realm), as for a private repository. */
  public HubLikeProxy requireLogin(String user, String password) {
    this.user = user;
    this.password = password;
    return this;
  }

  /** The next {@code count} manifest requests get 429 with {@code Retry-After: retryAfter}. */
  public void inject429(int count, String retryAfter) {
    this.retryAfter = retryAfter;
    pending429.set(count);
  }

  /**
   * The next token answer breaks off after {@code bodyBytes} bytes of its body, its headers promising all of it;
   * cuts queue up, one per token answer.
   */
  public void cutNextToken(long bodyBytes) {
    tokenCuts.add(bodyBytes);
  }

  /** {@code 127.0.0.1:<port>}: the registry host to put in image references. */
  public String registryHost() {
    return "127.0.0.1:" + apiFront.port();
  }

  public int cdnPort() {
    return cdnFront.port();
  }

  public int tokensIssued() {
    return tokenCounter.get();
  }

  @Override
  public void close() {
    apiFront.close();
    cdnFront.close();
    api.stop(0);
    cdn.stop(0);
  }

  private void handleApi(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      log.add("api " + ex.getRequestMethod() + " " + path);
      if (path.equals("/token")) {
        issueToken(ex);
        return;
      }
      if (!path.startsWith("/v2/")) {
        send(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.startsWith("Bearer ") || !tokens.contains(auth.substring(7))) {
        challenge(ex, path);
        return;
      }
      Matcher m = MANIFEST.matcher(path);
      if (m.matches()) {
        if (pending429.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          ex.getResponseHeaders().set("Retry-After", retryAfter);
          send(ex, 429, "application/json", ("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have"
              + " reached your pull rate limit. You may increase the limit by authenticating and upgrading\"}]}")
              .getBytes(StandardCharsets.UTF_8));
          return;
        }
        forward(ex, upstream + path, List.of("Accept"), List.of("Content-Type", "Docker-Content-Digest"));
        return;
      }
      Matcher b = BLOB.matcher(path);
      if (b.matches()) {
        ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + cdnPort() + "/cdn/" + b.group(1) + "/"
            + b.group(2) + "?expires=" + (Instant.now().getEpochSecond() + 600) + "&signature=abc123");
        ex.sendResponseHeaders(307, -1);
        return;
      }
      if (path.equals("/v2/")) {
        send(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
        return;
      }
      forward(ex, upstream + path, List.of("Accept"), List.of("Content-Type"));
    }
  }

  private void challenge(HttpExchange ex, String path) throws IOException {
    challenges.incrementAndGet();
    String scope = "";
    Matcher m = MANIFEST.matcher(path);
    Matcher b = BLOB.matcher(path);
    if (m.matches()) {
      scope = ",scope=\"repository:" + m.group(1) + ":pull\"";
    } else if (b.matches()) {
      scope = ",scope=\"repository:" + b.group(1) + ":pull\"";
    }
    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"http://" + registryHost() + "/token\","
        + "service=\"hub-like.test\"" + scope);
    send(ex, 401, "application/json",
        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}".getBytes(StandardCharsets.UTF_8));
  }

  private void issueToken(HttpExchange ex) throws IOException {
    if (user != null) {
      String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
          .getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        send(ex, 401, "application/json", "{\"details\":\"incorrect username or password\"}"
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
    }
    String token = "hub-token-" + tokenCounter.incrementAndGet();
    tokens.add(token);
    byte[] body = ("{\"token\":\"" + token + "\",\"access_token\":\"" + token
        + "\",\"expires_in\":300,\"issued_at\":\"" + Instant.now() + "\"}").getBytes(StandardCharsets.UTF_8);
    Long cut = tokenCuts.isEmpty() ? null : tokenCuts.remove(0);
    if (cut != null) {
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body, 0, (int) Math.min(cut, body.length - 1));
      ex.getResponseBody().flush();
      // a handler that fails has its connection closed, short of the promised length
      throw new IOException("token answer cut (test)");
    }
    send(ex, 200, "application/json", body);
  }

  private void handleCdn(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      boolean hasAuth = ex.getRequestHeaders().containsKey("Authorization");
      String range = ex.getRequestHeaders().getFirst("Range");
      cdnRequests.incrementAndGet();
      log.add("cdn " + ex.getRequestMethod() + " " + path + " auth=" + hasAuth + " range=" + range);
      if (hasAuth) {
        cdnRequestsWithAuthorization.incrementAndGet();
        send(ex, 400, "application/xml", ("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism"
            + " allowed</Message></Error>").getBytes(StandardCharsets.UTF_8));
        return;
      }
      Matcher m = CDN_BLOB.matcher(path);
      if (!m.matches()) {
        send(ex, 404, "text/plain", "no such object".getBytes(StandardCharsets.UTF_8));
        return;
      }
      forward(ex, upstream + "/v2/" + m.group(1) + "/blobs/" + m.group(2), List.of("Range"),
          List.of("Content-Type", "Content-Range", "Accept-Ranges"));
    }
  }

  private void forward(HttpExchange ex, String url, List<String> requestHeaders, List<String> responseHeaders)
      throws IOException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url))
        .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
    for (String h : requestHeaders) {
      String v = ex.getRequestHeaders().getFirst(h);
      if (v != null) {
        rb.header(h, v);
      }
    }
    HttpResponse<InputStream> r;
    try {
      r = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    for (String h : responseHeaders) {
      r.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().set(h, v));
    }
    long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
    boolean head = ex.getRequestMethod().equals("HEAD");
    if (head && length >= 0) {
      ex.getResponseHeaders().set("Content-Length", Long.toString(length));
    }
    ex.sendResponseHeaders(r.statusCode(), head ? -1 : length == 0 ? -1 : Math.max(length, 0));
    try (InputStream in = r.body(); OutputStream out = ex.getResponseBody()) {
      if (!head) {
        in.transferTo(out);
      }
    }
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
