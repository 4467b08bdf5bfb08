package dev.dcont.registry.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The JDK's default TLS set-up (trust store, SSLContext), made on first use. OkHttp builds it when a client is
 * built, which loads and parses the whole trust store on every pull, even from a plain-HTTP registry on
 * loopback; with these it happens at the first TLS connection. The plain alternative, clients without TLS for
 * plain-HTTP registries, would need a client per scheme for every registry, token endpoint and redirect.
 * Trust decisions are the platform trust manager's, unchanged. {@link #TRUST}'s accepted issuers are empty:
 * OkHttp reads them only for certificate pinning, which dcont does not configure.
 */
final class LazyTls {
  static final X509TrustManager TRUST = new Trust();
  static final SSLSocketFactory FACTORY = new Factory();

  private LazyTls() { }

  private static final class Holder {
    static final X509TrustManager PLATFORM;
    static final SSLSocketFactory SOCKETS;

    static {
      try {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        X509TrustManager tm = null;
        for (TrustManager t : tmf.getTrustManagers()) {
          if (t instanceof X509TrustManager x) {
            tm = x;
          }
        }
        if (tm == null) {
          throw new IllegalStateException("no X509 trust manager in the platform");
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {tm}, null);
        PLATFORM = tm;
        SOCKETS = ctx.getSocketFactory();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("TLS set-up failed: " + e.getMessage(), e);
      }
    }

    private Holder() { }
  }

  private static final class Trust implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      Holder.PLATFORM.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      Holder.PLATFORM.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  private static final class Factory extends SSLSocketFactory {
    @Override
    public String[] getDefaultCipherSuites() {
      return Holder.SOCKETS.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return Holder.SOCKETS.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      return Holder.SOCKETS.createSocket(s, host, port, autoClose);
    }

    @Override
    public Socket createSocket() throws IOException {
      return Holder.SOCKETS.createSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return Holder.SOCKETS.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return Holder.SOCKETS.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return Holder.SOCKETS.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return Holder.SOCKETS.createSocket(address, port, localAddress, localPort);
    }
  }
}
