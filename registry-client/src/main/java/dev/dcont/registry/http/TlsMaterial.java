package dev.dcont.registry.http;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * TLS settings for one registry host, read from a Docker-style {@code certs.d/<host:port>/}
 * directory: every {@code *.crt} is a CA added to the system's, every {@code <name>.cert} with
 * its {@code <name>.key} a client certificate (PEM; keys PKCS#1, PKCS#8 or EC).
 */
public record TlsMaterial(SSLSocketFactory socketFactory, X509TrustManager trustManager, boolean verifyHostname) {

  /** Trusts everything: for registries configured as insecure. */
  public static TlsMaterial insecure(Path certsDirOrNull) {
    X509TrustManager trustAll = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) { }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) { }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    return build(trustAll, certsDirOrNull == null ? null : keyManagers(certsDirOrNull), false);
  }

  /** System CAs plus those of {@code dir}, and its client certificate if any. */
  public static TlsMaterial fromCertsDir(Path dir) {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (X509Certificate ca : systemTrustManager().getAcceptedIssuers()) {
        trust.setCertificateEntry("system-" + i++, ca);
      }
      for (Path crt : list(dir, "*.crt")) {
        for (X509Certificate c : readCertificates(crt)) {
          trust.setCertificateEntry("certs.d-" + i++, c);
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return build(firstX509(tmf.getTrustManagers()), keyManagers(dir), true);
    } catch (GeneralSecurityException | IOException e) {
      throw new RegistryException(Kind.CONFIG, "certificates in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static TlsMaterial build(X509TrustManager tm, KeyManager[] kms, boolean verifyHostname) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kms, new TrustManager[] {tm}, null);
      return new TlsMaterial(ctx.getSocketFactory(), tm, verifyHostname);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyManager[] keyManagers(Path dir) {
    try {
      for (Path cert : list(dir, "*.cert")) {
        String name = cert.getFileName().toString();
        Path key = dir.resolve(name.substring(0, name.length() - ".cert".length()) + ".key");
        if (!Files.isRegularFile(key)) {
          throw new RegistryException(Kind.CONFIG, "client certificate " + cert + " has no matching key "
              + key.getFileName() + " (put both in " + dir + ")");
        }
        List<X509Certificate> chain = readCertificates(cert);
        PrivateKey pk = readPrivateKey(key);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "dcont".toCharArray();
        ks.setKeyEntry("client", pk, pw, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        return kmf.getKeyManagers();
      }
      for (Path key : list(dir, "*.key")) {
        String name = key.getFileName().toString();
        if (!Files.exists(dir.resolve(name.substring(0, name.length() - ".key".length()) + ".cert"))) {
          throw new RegistryException(Kind.CONFIG, "client key " + key + " has no matching .cert file");
        }
      }
      return null;
    } catch (GeneralSecurityException | IOException e) {
      throw new RegistryException(Kind.CONFIG, "client certificate in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Every certificate in a PEM file (bouncycastle's parser; the JDK makes the certificates); none is an error. */
  static List<X509Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
    try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof X509CertificateHolder h) {
          out.add(conv.getCertificate(h));
        }
      }
    }
    if (out.isEmpty()) {
      throw new RegistryException(Kind.CONFIG, "certificate file " + pem + " holds no PEM certificate");
    }
    return out;
  }

  /** Reads a PEM private key: PKCS#1 RSA, SEC1 EC ({@code EC PRIVATE KEY}) or unencrypted PKCS#8. */
  public static PrivateKey readPrivateKey(Path pem) throws IOException {
    try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof PEMKeyPair kp) {
          // an EC key may come without its public half, which getKeyPair cannot handle
          return conv.getPrivateKey(kp.getPrivateKeyInfo());
        }
        if (o instanceof PrivateKeyInfo pki) {
          return conv.getPrivateKey(pki);
        }
      }
    }
    throw new RegistryException(Kind.CONFIG, "key file " + pem
        + " holds no unencrypted PEM private key (PKCS#1, PKCS#8 or EC)");
  }

  private static List<Path> list(Path dir, String glob) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
      s.forEach(out::add);
    }
    out.sort(null);
    return out;
  }

  private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null);
    return firstX509(tmf.getTrustManagers());
  }

  private static X509TrustManager firstX509(TrustManager[] tms) {
    for (TrustManager t : tms) {
      if (t instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X509TrustManager");
  }
}
