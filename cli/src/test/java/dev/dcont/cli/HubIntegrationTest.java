package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.dcont.registry.RegistryOptions;
import dev.dcont.testkit.Busybox;
import dev.dcont.testkit.HubLikeProxy;
import dev.dcont.testkit.Root;
import dev.dcont.testkit.Layer;
import dev.dcont.testkit.LocalRegistry;
import dev.dcont.testkit.TarBuilder;
import dev.dcont.testkit.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker Hub's specifics end to end: {@code dcont} in-process against a real loopback
 * {@code docker-registry} behind a {@link HubLikeProxy} (Bearer tokens, blobs redirected to a
 * "CDN" port that refuses Authorization headers, injected 429s, private repositories). The
 * registries config, Docker's config directory and the certs.d directories are pointed at
 * temporary files with the {@code dcont.*} system properties that {@link RegistryOptions} reads.
 */
class HubIntegrationTest {
  static LocalRegistry registry;
  static TestImage busybox;
  static TestImage app;

  @TempDir
  Path tmp;
  Path root;
  Path dockerConfigDir;
  HubLikeProxy hub;

  @BeforeAll
  static void setUpRegistry() throws Exception {
    registry = LocalRegistry.start();
    busybox = TestImage.builder().layer(Busybox.rootfs().build(), Layer.Compression.GZIP, "COPY busybox /")
        .config("Cmd", List.of("sh")).build();
    registry.push("library/busybox", "latest", busybox);
    app = TestImage.builder().layer(new TarBuilder().file("app.txt", "someuser's app").build(), Layer.Compression.GZIP)
        .build();
    registry.push("someuser/app", "1", app);
    registry.push("someuser/private", "1", app);
  }

  @AfterAll
  static void tearDownRegistry() {
    registry.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("root");
    dockerConfigDir = tmp.resolve("docker");
    hub = HubLikeProxy.start("http://" + registry.host());
    Path registries = tmp.resolve("registries.json");
    Files.writeString(registries, "{\"registries\": {\"docker.io\": {\"mirrors\": [\"" + hub.registryHost() + "\"]}}}");
    Files.createDirectories(tmp.resolve("certs.d"));
    System.setProperty(RegistryOptions.REGISTRIES_CONFIG_PROPERTY, registries.toString());
    System.setProperty(RegistryOptions.DOCKER_CONFIG_PROPERTY, dockerConfigDir.toString());
    System.setProperty(RegistryOptions.CERTS_DIRS_PROPERTY, tmp.resolve("certs.d").toString());
  }

  @AfterEach
  void tearDown() {
    hub.close();
    System.clearProperty(RegistryOptions.REGISTRIES_CONFIG_PROPERTY);
    System.clearProperty(RegistryOptions.DOCKER_CONFIG_PROPERTY);
    System.clearProperty(RegistryOptions.CERTS_DIRS_PROPERTY);
  }

  private static void assertOneLineFailure(Cli.Result r) {
    assertEquals(1, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    assertTrue(r.err().startsWith("dcont: "), r.err());
  }

  @Test
  void hubNamesAreNormalisedThroughTheMirrorAndShownAsDockerShowsThem() throws Exception {
    Cli.Result pull = Cli.run(root, "pull", "busybox");
    assertEquals(0, pull.code(), pull.toString());
    assertTrue(pull.out().contains("Digest: " + busybox.manifestDigest()), pull.out());
    Cli.Result pullApp = Cli.run(root, "pull", "someuser/app:1");
    assertEquals(0, pullApp.code(), pullApp.toString());
    assertTrue(hub.log.contains("api GET /v2/library/busybox/manifests/latest"), "official images live under"
        + " library/, and the mirror served them: " + hub.log);
    assertTrue(hub.log.contains("api GET /v2/someuser/app/manifests/1"), hub.log.toString());

    Cli.Result images = Cli.run(root, "images");
    assertEquals(0, images.code(), images.toString());
    assertTrue(images.out().lines().anyMatch(l -> l.matches("busybox\\s+latest\\s+"
        + busybox.configDigest().shortHex() + "\\b.*")), images.out());
    assertTrue(images.out().lines().anyMatch(l -> l.matches("someuser/app\\s+1\\s+"
        + app.configDigest().shortHex() + "\\b.*")), images.out());
    assertFalse(images.out().contains("docker.io") || images.out().contains("library/"), images.out());

    Cli.Result inspect = Cli.run(root, "inspect", "busybox");
    assertEquals(0, inspect.code(), inspect.toString());
    JsonDoc j = JsonDoc.parse(inspect.out()).get(0);
    assertEquals(busybox.configDigest().toString(), j.get("Id").asText());
    assertEquals("busybox:latest", j.get("RepoTags").get(0).asText());
    assertEquals("busybox@" + busybox.manifestDigest(), j.get("RepoDigests").get(0).asText());
    Cli.Result inspectLong = Cli.run(root, "inspect", "docker.io/library/busybox:latest");
    assertEquals(inspect.out(), inspectLong.out(), "the long name is the same image");

    Cli.Result rmi = Cli.run(root, "rmi", "busybox");
    assertEquals(0, rmi.code(), rmi.toString());
    assertTrue(rmi.out().contains("Untagged: busybox:latest"), rmi.out());
    assertTrue(rmi.out().contains("Deleted: " + busybox.configDigest()), rmi.out());
    Cli.Result after = Cli.run(root, "images");
    assertFalse(after.out().contains("busybox"), after.out());
    assertTrue(after.out().contains("someuser/app"), after.out());
  }

  @Test
  void tokenAuthAndCdnRedirectWithoutLeakingTheToken() throws Exception {
    Cli.Result pull = Cli.run(root, "pull", "busybox");
    assertEquals(0, pull.code(), pull.toString() + hub.log);
    assertTrue(hub.challenges.get() >= 1, "the first request was challenged: " + hub.log);
    assertEquals(1, hub.tokensIssued(), "one token, reused for manifest and blobs: " + hub.log);
    assertEquals(2, hub.cdnRequests.get(), "config and layer came from the CDN port: " + hub.log);
    assertEquals(0, hub.cdnRequestsWithAuthorization.get(), "no Authorization header to the CDN: " + hub.log);
    for (String digest : List.of(busybox.configDigest().toString(), busybox.layers().get(0).digest().toString())) {
      assertTrue(hub.log.contains("cdn GET /cdn/library/busybox/" + digest + " auth=false range=null"), hub.log.toString());
    }
    assertTrue(Files.exists(root.resolve("blobs/sha256/" + busybox.layers().get(0).digest().hex())));
  }

  @Test
  void rateLimitIsWaitedOutThenReportedInOneLineWhenItPersists() throws Exception {
    String ref = hub.registryHost() + "/library/busybox:latest";
    hub.inject429(2, "1");
    long t0 = System.nanoTime();
    Cli.Result pull = Cli.run(root, "pull", ref);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(0, pull.code(), pull.toString());
    assertTrue(waitedMs >= 2000, "Retry-After: 1 was honoured twice, took " + waitedMs + " ms");
    assertTrue(hub.log.stream().filter(l -> l.contains("/v2/library/busybox/manifests/latest")).count() >= 3,
        "two refused tries, then one that got through: " + hub.log);

    Path other = tmp.resolve("root2");
    hub.inject429(100, "1");
    Cli.Result limited = Cli.run(other, "pull", ref);
    assertOneLineFailure(limited);
    assertTrue(limited.err().contains("rate limited") && limited.err().contains("429"), limited.err());
    assertTrue(limited.err().contains("after 5 tries"), "the retry budget was spent: " + limited.err());
  }

  @Test
  void privateRepositoryNeedsLoginAndLoginStoresTheCredentialsAsDockerDoes() throws Exception {
    hub.requireLogin("carol", "s3cret");
    String server = hub.registryHost();
    String ref = server + "/someuser/private:1";
    Path config = dockerConfigDir.resolve("config.json");

    Cli.Result anonymous = Cli.run(root, "pull", ref);
    assertOneLineFailure(anonymous);
    assertTrue(anonymous.err().contains("dcont login"), anonymous.err());

    Cli.Result wrong = Cli.run(root, "nope\n".getBytes(StandardCharsets.UTF_8),
        "login", "-u", "carol", "--password-stdin", server);
    assertOneLineFailure(wrong);
    assertTrue(wrong.err().contains("refused"), wrong.err());
    assertFalse(Files.exists(config), "a refused login writes nothing");

    Cli.Result login = Cli.run(root, "s3cret\n".getBytes(StandardCharsets.UTF_8),
        "login", "-u", "carol", "--password-stdin", server);
    assertEquals(0, login.code(), login.toString());
    assertTrue(login.out().contains("Login Succeeded"), login.out());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
    JsonDoc auths = JsonDoc.parse(Files.readAllBytes(config)).get("auths");
    assertEquals(Base64.getEncoder().encodeToString("carol:s3cret".getBytes(StandardCharsets.UTF_8)),
        auths.get(server).get("auth").asText(), Files.readString(config));

    Cli.Result pull = Cli.run(root, "pull", ref);
    assertEquals(0, pull.code(), pull.toString());
    assertTrue(Files.exists(root.resolve("blobs/sha256/" + app.layers().get(0).digest().hex())));

    Cli.Result logout = Cli.run(root, "logout", server);
    assertEquals(0, logout.code(), logout.toString());
    assertTrue(logout.out().contains("Removing login credentials for " + server), logout.out());
    assertFalse(JsonDoc.parse(Files.readAllBytes(config)).path("auths").has(server), Files.readString(config));
    Cli.Result again = Cli.run(root, "pull", ref);
    assertOneLineFailure(again);
    assertTrue(again.err().contains("dcont login"), "logged out: " + again.err());
  }

  @Test
  void fullDiskFailsThePullWithOneLine() throws Exception {
    Root.require("mounting a small tmpfs as the store");
    byte[] random = new byte[5_000_000];
    new Random(7).nextBytes(random);
    TestImage big = TestImage.builder().layer(new TarBuilder().file("random.bin", random, 0644).build(),
        Layer.Compression.GZIP).build();
    registry.push("t/big5", "1", big);
    Path small = tmp.resolve("small");
    Files.createDirectories(small);
    run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString());
    try {
      Cli.Result pull = Cli.run(small, "pull", registry.host() + "/t/big5:1");
      assertOneLineFailure(pull);
      assertTrue(pull.err().contains("disk full"), pull.err());
      assertFalse(Files.exists(small.resolve("blobs/sha256/" + big.layers().get(0).digest().hex())));
    } finally {
      run("umount", small.toString());
    }
  }

  @Test
  void tlsFailureIsOneLineNamingTls() throws Exception {
    // a certs.d directory for the plain-HTTP registry makes dcont speak HTTPS to it
    Files.createDirectories(tmp.resolve("certs.d").resolve(registry.host()));
    Cli.Result pull = Cli.run(root, "pull", registry.host() + "/someuser/app:1");
    assertOneLineFailure(pull);
    assertTrue(pull.err().contains("TLS") && pull.err().contains(registry.host()), pull.err());
  }

  @Test
  void registryCertificateFromAnUnknownCaIsATlsErrorUntilCertsDHasTheCa() throws Exception {
    Path ks = tmp.resolve("registry.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    run(keytool.toString(), "-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", ks.toString(), "-storepass", "changeit");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    https.setHttpsConfigurator(new HttpsConfigurator(ctx));
    https.createContext("/", ex -> {
      try (ex) {
        boolean ping = ex.getRequestURI().getPath().equals("/v2/");
        byte[] body = (ping ? "{}" : "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}")
            .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(ping ? 200 : 404, body.length);
        ex.getResponseBody().write(body);
      }
    });
    https.start();
    try {
      String host = "127.0.0.1:" + https.getAddress().getPort();
      Path certsDir = tmp.resolve("certs.d").resolve(host);
      Files.createDirectories(certsDir);
      Cli.Result unknownCa = Cli.run(root, "pull", host + "/x:1");
      assertOneLineFailure(unknownCa);
      assertTrue(unknownCa.err().contains("TLS with " + host + " failed"), unknownCa.err());

      Files.writeString(certsDir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(store.getCertificate("registry").getEncoded())
          + "\n-----END CERTIFICATE-----\n");
      Cli.Result trusted = Cli.run(root, "pull", host + "/x:1");
      assertOneLineFailure(trusted);
      assertFalse(trusted.err().contains("TLS"), "the CA in certs.d is trusted: " + trusted.err());
      assertTrue(trusted.err().contains("manifest unknown"), "got through TLS to the registry's answer: " + trusted.err());
    } finally {
      https.stop(0);
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
