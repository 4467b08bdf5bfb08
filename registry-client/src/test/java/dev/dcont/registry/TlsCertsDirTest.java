package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.dcont.registry.http.TlsMaterial;
import dev.dcont.store.Store;
import dev.dcont.store.model.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A WireMock registry over HTTPS that requires a client certificate from our test CA. */
class TlsCertsDirTest {
  @TempDir
  static Path pkiDir;
  @TempDir
  Path tmp;
  static TestPki pki;
  static WireMockServer https;
  RegistryOptions.Builder options;

  @BeforeAll
  static void start() throws Exception {
    pki = new TestPki("dcont test CA");
    KeyPair serverKey = TestPki.rsa();
    Path ks = TestPki.keyStore(pkiDir.resolve("server.p12"), serverKey, pki.server(serverKey), pki.ca);
    Path ts = TestPki.trustStore(pkiDir.resolve("trust.p12"), pki.ca);
    https = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort()
        .keystorePath(ks.toString()).keystorePassword("changeit").keyManagerPassword("changeit").keystoreType("PKCS12")
        .needClientAuth(true).trustStorePath(ts.toString()).trustStorePassword("changeit").trustStoreType("PKCS12"));
    https.start();
  }

  @AfterAll
  static void stop() {
    https.stop();
  }

  @BeforeEach
  void reset() {
    https.resetAll();
    options = RegistryOptions.builder()
        .credentialsFile(tmp.resolve("config.json"))
        .registriesConfig(tmp.resolve("registries.json"))
        .certsDirs(List.of(tmp.resolve("dcont-certs.d"), tmp.resolve("docker-certs.d")))
        .credentialHelperPath(List.of())
        .sleeper(new RecordingSleeper());
  }

  Reference ref() {
    return Reference.parse("localhost:" + https.httpsPort() + "/app:v1");
  }

  Path hostDir(String root) throws Exception {
    return Files.createDirectories(tmp.resolve(root).resolve("localhost:" + https.httpsPort()));
  }

  PullResult pull() {
    try (Store store = Store.open(tmp.resolve("store"))) {
      return new ImagePuller(store, options.build()).pull(ref(), null, null);
    }
  }

  @Test
  void caAndRsaPkcs1ClientCertificateFromCertsDirWork() throws Exception {
    TestImage.small(71).stub(https, "app", "v1");
    Path dir = hostDir("docker-certs.d");
    KeyPair clientKey = TestPki.rsa();
    TestPki.writePem(dir.resolve("ca.crt"), pki.ca);
    TestPki.writePem(dir.resolve("client.cert"), pki.client(clientKey));
    TestPki.writePem(dir.resolve("client.key"), clientKey.getPrivate());
    assertTrue(Files.readString(dir.resolve("client.key")).contains("BEGIN RSA PRIVATE KEY"));

    assertTrue(pull().downloaded());
  }

  @Test
  void ecPkcs8ClientKeyWorksToo() throws Exception {
    TestImage.small(72).stub(https, "app", "v1");
    Path dir = hostDir("dcont-certs.d");
    KeyPair clientKey = TestPki.ec();
    TestPki.writePem(dir.resolve("ca.crt"), pki.ca);
    TestPki.writePem(dir.resolve("client.cert"), pki.client(clientKey));
    TestPki.writePkcs8(dir.resolve("client.key"), clientKey.getPrivate());
    assertTrue(Files.readString(dir.resolve("client.key")).contains("BEGIN PRIVATE KEY"));

    assertTrue(pull().downloaded());
  }

  @Test
  void withoutTheClientCertificateTheHandshakeFailsWithATlsError() throws Exception {
    Path dir = hostDir("dcont-certs.d");
    TestPki.writePem(dir.resolve("ca.crt"), pki.ca);
    RegistryException e = assertThrows(RegistryException.class, this::pull);
    assertTrue(e.kind() == RegistryException.Kind.TLS || e.kind() == RegistryException.Kind.UNREACHABLE,
        e.kind() + ": " + e.getMessage());
  }

  @Test
  void unknownCaIsATlsErrorNamingCertsDir() throws Exception {
    Path dir = hostDir("dcont-certs.d");
    KeyPair clientKey = TestPki.rsa();
    TestPki other = new TestPki("another CA");
    TestPki.writePem(dir.resolve("ca.crt"), other.ca);
    TestPki.writePem(dir.resolve("client.cert"), pki.client(clientKey));
    TestPki.writePem(dir.resolve("client.key"), clientKey.getPrivate());
    RegistryException e = assertThrows(RegistryException.class, this::pull);
    assertEquals(RegistryException.Kind.TLS, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("certs.d/localhost:" + https.httpsPort() + "/ca.crt"), e.getMessage());
  }

  @Test
  void ecSec1KeyIsRead() throws Exception {
    KeyPair k = TestPki.ec();
    Path f = tmp.resolve("ec.key");
    // as 'openssl ecparam -genkey' writes it: SEC1 with the curve inside
    var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(k.getPrivate().getEncoded());
    var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
    var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
        info.getPrivateKeyAlgorithm().getParameters());
    TestPki.writePem(f, new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    assertTrue(Files.readString(f).contains("BEGIN EC PRIVATE KEY"));
    PrivateKey read = TlsMaterial.readPrivateKey(f);
    assertEquals(k.getPrivate().getAlgorithm(), read.getAlgorithm());
    assertEquals(((java.security.interfaces.ECPrivateKey) k.getPrivate()).getS(),
        ((java.security.interfaces.ECPrivateKey) read).getS());
  }

  @Test
  void aCaFileWithoutACertificateIsAnErrorNamingIt() throws Exception {
    Path dir = hostDir("dcont-certs.d");
    TestPki.writePem(dir.resolve("ca.crt"), TestPki.rsa().getPrivate());
    RegistryException e = assertThrows(RegistryException.class, this::pull);
    assertEquals(RegistryException.Kind.CONFIG, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("ca.crt holds no PEM certificate"), e.getMessage());
  }
}
