package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.dcont.registry.http.Endpoints;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RegistryTransport;
import dev.dcont.store.Store;
import dev.dcont.store.model.Reference;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.TarBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A registry on loopback that serves HTTPS with a certificate nobody trusts (the usual local {@code registry:2}
 * with TLS) is pulled from over HTTPS, unverified, as Docker does for insecure registries; a plain-HTTP one still
 * works (every WireMock test here), and the plain try is made only when HTTPS could not be spoken.
 */
class LoopbackHttpsTest extends WireMockSupport {

  @Test
  void aLoopbackRegistryServingHttpsWithAnUntrustedCertificateIsPulledFrom() throws Exception {
    TestPki pki = new TestPki("an untrusted CA");
    KeyPair key = TestPki.rsa();
    Path ks = TestPki.keyStore(tmp.resolve("server.p12"), key, pki.server(key), pki.ca);
    WireMockServer https = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort()
        .keystorePath(ks.toString()).keystorePassword("changeit").keyManagerPassword("changeit")
        .keystoreType("PKCS12"));
    https.start();
    try {
      TestImage img = TestImage.small(181);
      img.stub(https, "app", "v1");
      for (String host : List.of("localhost", "127.0.0.1")) {
        try (Store store = Store.open(tmp.resolve("store-" + host))) {
          PullResult r = puller(store).pull(Reference.parse(host + ":" + https.httpsPort() + "/app:v1"), null, null);
          assertEquals(img.manifestDigest, r.image().manifestDigest());
        }
      }
    } finally {
      https.stop();
    }
  }

  @Test
  void debiansRegistryWithTlsOnLoopbackIsPulledFromOverHttps() throws Exception {
    try (LocalRegistry plain = LocalRegistry.start()) {
      dev.dcont.testkit.TestImage img = dev.dcont.testkit.TestImage.builder()
          .layer(new TarBuilder().file("hello", "over TLS").build(), Layer.Compression.GZIP).build();
      plain.push("t/tls", "1", img);
      TestPki pki = new TestPki("a self-signed registry");
      KeyPair key = TestPki.rsa();
      Path cert = tmp.resolve("registry.crt");
      Path pem = tmp.resolve("registry.key");
      TestPki.writePem(cert, pki.server(key));
      TestPki.writePem(pem, key.getPrivate());
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Path config = tmp.resolve("tls.yml");
      Files.writeString(config, """
          version: 0.1
          log:
            level: error
            accesslog:
              disabled: true
          storage:
            filesystem:
              rootdirectory: %s
          http:
            addr: 127.0.0.1:%d
            tls:
              certificate: %s
              key: %s
          """.formatted(plain.dataDir(), port, cert, pem));
      Process tls = new ProcessBuilder(LocalRegistry.BINARY, "serve", config.toString()).redirectErrorStream(true)
          .redirectOutput(tmp.resolve("tls.log").toFile()).start();
      try {
        int p = port;
        Poll.until("the TLS registry to listen", Duration.ofSeconds(20), () -> {
          try (Socket s = new Socket(InetAddress.getLoopbackAddress(), p)) {
            return true;
          } catch (java.io.IOException notYet) {
            return false;
          }
        });
        try (Store store = openStore()) {
          PullResult r = puller(store).pull(Reference.parse("127.0.0.1:" + port + "/t/tls:1"), null, null);
          assertEquals(img.manifestDigest(), r.image().manifestDigest());
          assertTrue(store.content().exists(img.layers().get(0).digest()));
        }
      } finally {
        tls.destroy();
        if (!tls.waitFor(5, TimeUnit.SECONDS)) {
          tls.destroyForcibly();
        }
      }
    }
  }

  @Test
  void aPlainServerThatNeverAnswersTheTlsHelloCostsOneBoundedWaitThenPlainHttp() throws Exception {
    // the JDK's HTTP server reads a TLS hello as the start of a request line and waits for the rest
    TestImage img = TestImage.small(182);
    com.sun.net.httpserver.HttpServer jdk = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    jdk.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      byte[] body = path.endsWith("/manifests/v1") ? img.manifest
          : path.endsWith(img.configDescriptor.digest().toString()) ? img.config : null;
      for (int i = 0; body == null && i < img.layers.size(); i++) {
        body = path.endsWith(img.layerDescriptors.get(i).digest().toString()) ? img.layers.get(i) : null;
      }
      if (path.contains("/manifests/")) {
        ex.getResponseHeaders().set("Content-Type", img.manifestType.value());
      }
      ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
      if (body != null) {
        ex.getResponseBody().write(body);
      }
      ex.close();
    });
    jdk.start();
    try (Store store = openStore()) {
      options = baseOptions().connectTimeout(Duration.ofMillis(700)).build();
      long start = System.nanoTime();
      PullResult r = puller(store).pull(Reference.parse("127.0.0.1:" + jdk.getAddress().getPort() + "/app:v1"), null,
          null);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals(img.manifestDigest, r.image().manifestDigest());
      assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "one bounded wait, not retried: " + took);
      assertEquals(List.of(), sleeper.waits, "the unanswered handshake is not retried");
    } finally {
      jdk.stop(0);
    }
  }

  // ---- which of the two schemes answers, and whose failure is reported

  List<RegistryEndpoint> pair() {
    List<RegistryEndpoint> eps = new RegistryTransport(options, h -> Optional.empty()).endpoints("127.0.0.1:1");
    assertEquals(List.of("https://127.0.0.1:1/", "http://127.0.0.1:1/"),
        eps.stream().map(RegistryEndpoint::toString).toList());
    return eps;
  }

  @Test
  void anHttpsAnswerIsTheAnswerAndPlainHttpIsNotAsked() {
    List<String> asked = new ArrayList<>();
    RegistryException e = assertThrows(RegistryException.class, () -> Endpoints.first(pair(), ep -> {
      asked.add(ep.base().scheme());
      throw new RegistryException(RegistryException.Kind.NOT_FOUND, "manifest unknown");
    }));
    assertEquals("manifest unknown", e.getMessage());
    assertEquals(List.of("https"), asked);
  }

  @Test
  void plainHttpIsAskedWhenHttpsCannotBeSpoken() {
    List<String> asked = new ArrayList<>();
    String got = Endpoints.first(pair(), ep -> {
      asked.add(ep.base().scheme());
      if (ep.base().isHttps()) {
        throw new RegistryException(RegistryException.Kind.TLS, "TLS with 127.0.0.1:1 failed");
      }
      return "answer";
    }).value();
    assertEquals("answer", got);
    assertEquals(List.of("https", "http"), asked);
  }

  @Test
  void whenPlainHttpMeetsAnHttpsServerTheHttpsFailureIsReported() {
    RegistryException e = assertThrows(RegistryException.class, () -> Endpoints.first(pair(), ep -> {
      throw new RegistryException(RegistryException.Kind.TLS, ep.base().isHttps()
          ? "TLS with 127.0.0.1:1 failed (bad certificate)" : "registry 127.0.0.1:1 serves HTTPS on this port");
    }));
    assertEquals("TLS with 127.0.0.1:1 failed (bad certificate)", e.getMessage());
    assertFalse(e.getMessage().contains("serves HTTPS"));
  }
}
