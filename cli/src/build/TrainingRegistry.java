import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A registry on loopback for the build's training runs of dcont (class-data.sh): serves one image, read from
 * a directory that holds {@code manifest.json} and the blobs under their hex digests, until its standard input
 * ends. Prints its port once it listens. Run from source ({@code java TrainingRegistry.java DIR}).
 */
public final class TrainingRegistry {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> serve(dir, exchange));
    server.start();
    System.out.println(server.getAddress().getPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the build's script closes the pipe
    }
    server.stop(0);
  }

  private static void serve(Path dir, HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    Path file = null;
    String type = "application/octet-stream";
    if (path.equals("/v2/")) {
      file = dir.resolve("manifest.json");
      type = "application/json";
    } else if (path.contains("/manifests/")) {
      file = dir.resolve("manifest.json");
      type = "application/vnd.oci.image.manifest.v1+json";
    } else if (path.contains("/blobs/sha256:")) {
      String hex = path.substring(path.lastIndexOf(':') + 1);
      if (hex.matches("[0-9a-f]{64}")) {
        file = dir.resolve(hex);
      }
    }
    try (exchange) {
      if (file == null || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body = Files.readAllBytes(file);
      exchange.getResponseHeaders().set("Content-Type", type);
      if (type.endsWith("manifest.v1+json")) {
        String digest = "sha256:" + Files.readString(dir.resolve("digest")).strip();
        exchange.getResponseHeaders().set("Docker-Content-Digest", digest);
      }
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }
}
