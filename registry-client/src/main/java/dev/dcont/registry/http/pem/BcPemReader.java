package dev.dcont.registry.http.pem;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * {@link PemReader} with bouncycastle's PEM parser; the JDK's providers make the keys and certificates. Loaded
 * by name ({@link PemReaders}), possibly in a class loader of its own with bouncycastle's jars.
 */
public final class BcPemReader implements PemReader {
  public BcPemReader() { }

  @Override
  public List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
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

  @Override
  public PrivateKey privateKey(Path pem) throws IOException {
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
}
