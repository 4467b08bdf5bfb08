package dev.dcont.testkit;

import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real registry (Debian's {@code docker-registry}) on a free loopback port with its own
 * temporary storage, and a minimal push client for images built by tests.
 */
public final class LocalRegistry implements AutoCloseable {
  public static final String BINARY = "/usr/bin/docker-registry";

  private final Path dir;
  private final int port;
  private final Process process;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private LocalRegistry(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  public static boolean available() {
    return Files.isExecutable(Path.of(BINARY));
  }

  /** Starts a registry; fails with what to install when the binary is missing. */
  public static LocalRegistry start() throws IOException, InterruptedException {
    if (!available()) {
      throw new IllegalStateException(BINARY + " not found: install Debian's docker-registry package");
    }
    Path dir = Files.createTempDirectory("dcont-registry");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("config.yml");
    Files.writeString(config, """
        version: 0.1
        log:
          level: error
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:%d
        """.formatted(dir.resolve("data"), port));
    Process p = new ProcessBuilder(BINARY, "serve", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("registry.log").toFile())
        .start();
    LocalRegistry r = new LocalRegistry(dir, port, p);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
      }
      try {
        HttpResponse<Void> res = r.http.send(HttpRequest.newBuilder(r.uri("/v2/")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (res.statusCode() == 200) {
          return r;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(50);
    }
    r.close();
    throw new IllegalStateException("docker-registry did not start on port " + port);
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:PORT}, the registry part of references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public URI uri(String path) {
    return URI.create("http://" + host() + path);
  }

  /** Pushes a blob if missing. */
  public void pushBlob(String repo, Digest digest, byte[] data) throws IOException, InterruptedException {
    HttpResponse<Void> head = http.send(HttpRequest.newBuilder(uri("/v2/" + repo + "/blobs/" + digest))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    if (head.statusCode() == 200) {
      return;
    }
    HttpResponse<String> start = http.send(HttpRequest.newBuilder(uri("/v2/" + repo + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    if (start.statusCode() != 202) {
      throw new IOException("upload start " + repo + ": HTTP " + start.statusCode() + " " + start.body());
    }
    String location = start.headers().firstValue("Location").orElseThrow();
    URI loc = location.startsWith("http") ? URI.create(location) : uri(location);
    String sep = loc.getQuery() == null ? "?" : "&";
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(loc + sep + "digest=" + digest))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
    if (put.statusCode() != 201) {
      throw new IOException("upload " + digest + ": HTTP " + put.statusCode() + " " + put.body());
    }
  }

  public void pushManifest(String repo, String reference, MediaType type, byte[] manifest)
      throws IOException, InterruptedException {
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri("/v2/" + repo + "/manifests/" + reference))
        .header("Content-Type", type.toString())
        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
    if (put.statusCode() != 201) {
      throw new IOException("manifest " + repo + ":" + reference + ": HTTP " + put.statusCode() + " " + put.body());
    }
  }

  /** Pushes an image's blobs and manifest under {@code repo:tag}; returns the reference string. */
  public String push(String repo, String tag, TestImage img) throws IOException, InterruptedException {
    pushImageContent(repo, img);
    pushManifest(repo, tag, img.manifestMediaType(), img.manifest());
    return host() + "/" + repo + ":" + tag;
  }

  private void pushImageContent(String repo, TestImage img) throws IOException, InterruptedException {
    for (Layer l : img.layers()) {
      pushBlob(repo, l.digest(), l.blob());
    }
    pushBlob(repo, img.configDigest(), img.config());
  }

  public String push(String repo, String tag, TestIndex index) throws IOException, InterruptedException {
    for (TestImage img : index.images()) {
      pushImageContent(repo, img);
      pushManifest(repo, img.manifestDigest().toString(), img.manifestMediaType(), img.manifest());
    }
    pushManifest(repo, tag, index.mediaType(), index.index());
    return host() + "/" + repo + ":" + tag;
  }

  /** The registry's storage directory (to corrupt content in tests). */
  public Path dataDir() {
    return dir.resolve("data");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
