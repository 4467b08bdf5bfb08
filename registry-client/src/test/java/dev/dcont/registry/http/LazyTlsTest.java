package dev.dcont.registry.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.dcont.registry.TestPki;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lazily made default TLS set-up still decides trust as the platform does. */
class LazyTlsTest {
  @TempDir
  Path tmp;

  @Test
  void aServerTheTrustStoreDoesNotKnowIsRefused() throws Exception {
    TestPki pki = new TestPki("an unknown CA");
    KeyPair key = TestPki.rsa();
    X509Certificate cert = pki.server(key);
    Path ks = TestPki.keyStore(tmp.resolve("server.p12"), key, cert, pki.ca);
    WireMockServer https = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort()
        .keystorePath(ks.toString()).keystorePassword("changeit").keyManagerPassword("changeit")
        .keystoreType("PKCS12"));
    https.start();
    try {
      https.stubFor(get("/v2/").willReturn(aResponse().withStatus(200)));
      OkHttpClient client = new OkHttpClient.Builder().sslSocketFactory(LazyTls.FACTORY, LazyTls.TRUST).build();
      SSLException e = assertThrows(SSLException.class, () -> client.newCall(new Request.Builder()
          .url("https://localhost:" + https.httpsPort() + "/v2/").build()).execute().close());
      assertTrue(String.valueOf(e.getMessage()).contains("PKIX") || e.getCause() instanceof CertificateException,
          String.valueOf(e));
    } finally {
      https.stop();
    }
    assertThrows(CertificateException.class, () -> LazyTls.TRUST.checkServerTrusted(
        new X509Certificate[] {cert, pki.ca}, "RSA"));
    assertEquals(0, LazyTls.TRUST.getAcceptedIssuers().length);
    assertTrue(LazyTls.FACTORY.createSocket() instanceof SSLSocket);
    assertTrue(LazyTls.FACTORY.getSupportedCipherSuites().length > 0);
  }
}
