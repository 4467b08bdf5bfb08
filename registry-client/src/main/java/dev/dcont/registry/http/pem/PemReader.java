package dev.dcont.registry.http.pem;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** Reads PEM files of certificates and private keys (bouncycastle's PEM parser does the reading: {@link PemReaders}). */
public interface PemReader {
  /** Every certificate in {@code pem}; none is an error naming the file. */
  List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException;

  /** The private key in {@code pem}: PKCS#1 RSA, SEC1 EC ({@code EC PRIVATE KEY}) or unencrypted PKCS#8. */
  PrivateKey privateKey(Path pem) throws IOException;
}
