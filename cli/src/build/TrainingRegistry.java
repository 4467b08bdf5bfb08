import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A registry on loopback for the build's training runs of dcont (class-data.sh): serves one image, read from
 * a directory that holds {@code manifest.json} and the blobs under their hex digests, until its standard input
 * ends. Prints its port once it listens. Run from source ({@code java TrainingRegistry.java DIR}).
 *
 * <p>dcont tries HTTPS first on loopback, as Docker does: a TLS hello on the port is answered at once with 400, as
 * Go's HTTP server answers it (the JDK's would wait for a request line until the client's read timeout), so that
 * the training pull falls back to plain HTTP as a pull from a loopback {@code registry:2} does.
 */
public final class TrainingRegistry {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> serve(dir, exchange));
    server.start();
    ServerSocket front = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon(() -> accept(front, server.getAddress()));
    System.out.println(front.getLocalPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the build's script closes the pipe
    }
    front.close();
    server.stop(0);
  }

  /** Passes connections through to the HTTP server, except a TLS hello, which gets a 400. */
  private static void accept(ServerSocket front, InetSocketAddress server) {
    while (true) {
      Socket client;
      try {
        client = front.accept();
      } catch (IOException closed) {
        return;
      }
      daemon(() -> {
        try (client; Socket upstream = new Socket(server.getAddress(), server.getPort())) {
          InputStream in = client.getInputStream();
          int first = in.read();
          if (first == 0x16) {
            client.getOutputStream().write("HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            return;
          }
          if (first < 0) {
            return;
          }
          upstream.getOutputStream().write(first);
          Thread back = daemon(() -> pipe(upstream, client));
          pipe(client, upstream);
          back.join();
        } catch (IOException | InterruptedException e) {
          // a side hung up
        }
      });
    }
  }

  private static void pipe(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
      to.shutdownOutput();
    } catch (IOException e) {
      // a side hung up
    }
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r);
    t.setDaemon(true);
    t.start();
    return t;
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
