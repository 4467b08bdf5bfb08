package dev.dcont.registry.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Handshake;

/**
 * The HTTPS try of a host that has a plain-HTTP fallback (loopback, insecure registries) gives the TLS handshake
 * Docker's bound ({@link #DOCKERS_BOUND}, or the connect timeout when shorter: the handshake is part of connecting)
 * and no second try: a port that does not answer a TLS hello in time speaks plain
 * HTTP (an HTTP server waits for a request line that never comes), so the pull goes on to plain HTTP. Its socket
 * factory bounds the handshake (OkHttp sets the read timeout again once the connection is made); its event
 * listener tells {@link RetryInterceptor} which calls failed in the handshake, which are then a TLS failure.
 */
final class UnansweredHandshakes implements EventListener.Factory {
  /** Go's {@code http.Transport.TLSHandshakeTimeout} in Docker's registry client. */
  static final Duration DOCKERS_BOUND = Duration.ofSeconds(10);
  private final Set<Call> inHandshake = ConcurrentHashMap.newKeySet();
  private final Duration bound;

  UnansweredHandshakes(Duration connectTimeout) {
    this.bound = connectTimeout.compareTo(DOCKERS_BOUND) < 0 ? connectTimeout : DOCKERS_BOUND;
  }

  /** Whether {@code call} failed before its TLS handshake ended; if so, {@code e} as the TLS failure it is. */
  IOException inHandshake(Call call, IOException e) {
    if (!inHandshake.contains(call) || e instanceof javax.net.ssl.SSLException) {
      return null;
    }
    SSLHandshakeException tls = new SSLHandshakeException("no TLS answer from " + Failures.hostPort(call.request().url())
        + " within " + bound.toMillis() + " ms (" + e.getMessage() + ")");
    tls.initCause(e);
    return tls;
  }

  @Override
  public EventListener create(Call call) {
    return new EventListener() {
      @Override
      public void secureConnectStart(Call c) {
        inHandshake.add(c);
      }

      @Override
      public void secureConnectEnd(Call c, Handshake handshake) {
        inHandshake.remove(c);
      }

      @Override
      public void callEnd(Call c) {
        inHandshake.remove(c);
      }

      @Override
      public void callFailed(Call c, IOException ioe) {
        inHandshake.remove(c);
      }
    };
  }

  /** {@code tls} with the handshake of each socket bounded. */
  SSLSocketFactory bounded(SSLSocketFactory tls) {
    int ms = (int) Math.max(1, bound.toMillis());
    return new SSLSocketFactory() {
      @Override
      public String[] getDefaultCipherSuites() {
        return tls.getDefaultCipherSuites();
      }

      @Override
      public String[] getSupportedCipherSuites() {
        return tls.getSupportedCipherSuites();
      }

      @Override
      public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        Socket ssl = tls.createSocket(s, host, port, autoClose);
        if (ssl instanceof SSLSocket && (s.getSoTimeout() == 0 || s.getSoTimeout() > ms)) {
          ssl.setSoTimeout(ms);
        }
        return ssl;
      }

      @Override
      public Socket createSocket() throws IOException {
        return tls.createSocket();
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return tls.createSocket(host, port);
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return tls.createSocket(host, port, localHost, localPort);
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return tls.createSocket(host, port);
      }

      @Override
      public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
          throws IOException {
        return tls.createSocket(address, port, localAddress, localPort);
      }
    };
  }
}
