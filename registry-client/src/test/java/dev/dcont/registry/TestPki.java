package dev.dcont.registry;

import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA with server and client certificates, made with bouncycastle. */
public final class TestPki {
  static final char[] PASSWORD = "changeit".toCharArray();
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  final KeyPair caKey;
  public final X509Certificate ca;

  public TestPki(String name) throws Exception {
    caKey = rsa();
    ca = sign(new X500Name("CN=" + name), caKey, new X500Name("CN=" + name), caKey.getPrivate(), true, null);
  }

  public static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  public X509Certificate server(KeyPair key) throws Exception {
    GeneralNames sans = new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1")});
    return sign(new X500Name("CN=localhost"), key, new X500Name(ca.getSubjectX500Principal().getName()),
        caKey.getPrivate(), false, sans);
  }

  X509Certificate client(KeyPair key) throws Exception {
    return sign(new X500Name("CN=dcont-client"), key, new X500Name(ca.getSubjectX500Principal().getName()),
        caKey.getPrivate(), false, null);
  }

  private static X509Certificate sign(X500Name subject, KeyPair key, X500Name issuer, PrivateKey issuerKey,
      boolean isCa, GeneralNames sans) throws Exception {
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject, key.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (isCa) {
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    }
    if (sans != null) {
      b.addExtension(Extension.subjectAlternativeName, false, sans);
    }
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
  }

  /** A PKCS#12 key store with one key entry. */
  public static Path keyStore(Path file, KeyPair key, X509Certificate... chain) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("key", key.getPrivate(), PASSWORD, chain);
    try (OutputStream o = Files.newOutputStream(file)) {
      ks.store(o, PASSWORD);
    }
    return file;
  }

  /** A PKCS#12 trust store with the given certificates. */
  static Path trustStore(Path file, X509Certificate... certs) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (Certificate c : certs) {
      ks.setCertificateEntry("ca" + i++, c);
    }
    try (OutputStream o = Files.newOutputStream(file)) {
      ks.store(o, PASSWORD);
    }
    return file;
  }

  /** PEM, in the form JcaPEMWriter picks (certificates; PKCS#1 for RSA keys, SEC1 for EC keys). */
  static void writePem(Path file, Object o) throws Exception {
    try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    }
  }

  static void writePkcs8(Path file, PrivateKey key) throws Exception {
    try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(new JcaPKCS8Generator(key, null));
    }
  }

  static boolean loopbackResolves() throws Exception {
    return InetAddress.getByName("localhost").isLoopbackAddress();
  }
}
