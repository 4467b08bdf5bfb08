package dev.dcont.registry.http.pem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.registry.RegistryException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bouncycastle kept off the class path, as the launcher does: loaded from its own directory when needed. */
class PemReadersTest {
  @TempDir
  Path tmp;

  private static void pem(Path f, String type, byte[] der) throws Exception {
    Files.writeString(f, "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n", StandardCharsets.US_ASCII);
  }

  /** A certificate of the JDK's own trust store. */
  private static X509Certificate someCertificate() throws Exception {
    KeyStore ks = KeyStore.getInstance(new File(System.getProperty("java.home"), "lib/security/cacerts"),
        "changeit".toCharArray());
    return (X509Certificate) ks.getCertificate(ks.aliases().nextElement());
  }

  @Test
  void bouncycastleFromADirectoryOfItsOwnReadsKeysAndCertificates() throws Exception {
    Path jars = Files.createDirectories(tmp.resolve("lib-bc"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.contains("bouncycastle") && entry.endsWith(".jar")) {
        Files.copy(Path.of(entry), jars.resolve(Path.of(entry).getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    try (var s = Files.list(jars)) {
      assertTrue(s.count() >= 2, "bouncycastle's jars are on the test class path");
    }
    PemReader r = PemReaders.load(jars.toString());
    ClassLoader own = r.getClass().getClassLoader();
    assertInstanceOf(PemReaders.ChildFirst.class, own);
    assertNotSame(BcPemReader.class, r.getClass(), "its own copy of the reader");
    assertSame(own, Class.forName("org.bouncycastle.openssl.PEMParser", false, own).getClassLoader(),
        "bouncycastle from its directory, not from the class path");
    assertSame(PemReader.class, Class.forName(PemReader.class.getName(), false, own), "the interface is shared");

    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    Path key = tmp.resolve("client.key");
    pem(key, "PRIVATE KEY", kp.getPrivate().getEncoded());
    assertEquals(kp.getPrivate(), r.privateKey(key));
    X509Certificate cert = someCertificate();
    Path crt = tmp.resolve("ca.crt");
    pem(crt, "CERTIFICATE", cert.getEncoded());
    assertEquals(List.of(cert), r.certificates(crt));
    RegistryException none = assertThrows(RegistryException.class, () -> r.certificates(key));
    assertTrue(none.getMessage().contains("holds no PEM certificate"), none.getMessage());
  }

  @Test
  void withoutTheDirectoryTheClassPathsBouncycastleIsUsedAndAnEmptyDirectoryIsAnError() throws Exception {
    PemReader r = PemReaders.load(null);
    assertSame(BcPemReader.class, r.getClass());
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    RegistryException e = assertThrows(RegistryException.class, () -> PemReaders.load(empty.toString()));
    assertEquals(RegistryException.Kind.CONFIG, e.kind());
    assertTrue(e.getMessage().startsWith("cannot load bouncycastle's PEM reader from " + empty), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
  }
}
