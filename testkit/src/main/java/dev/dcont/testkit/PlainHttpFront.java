package dev.dcont.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A loopback port in front of a plain-HTTP server of the JDK ({@code com.sun.net.httpserver}) that answers a TLS
 * hello at once with {@code 400}, as Go's, Jetty's and nginx's HTTP servers do, and passes every other connection
 * through. dcont tries HTTPS first on loopback, as Docker does; the JDK's server would wait for a request line
 * that never comes, until the client's read timeout.
 */
public final class PlainHttpFront implements AutoCloseable {
  private static final int TLS_HANDSHAKE_RECORD = 0x16;
  private final ServerSocket listener;
  private final InetSocketAddress target;

  public PlainHttpFront(InetSocketAddress target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon(this::accept, "plain-http-front");
  }

  public int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      daemon(() -> serve(client), "plain-http-front-conn");
    }
  }

  private void serve(Socket client) {
    try (client) {
      PushbackInputStream in = new PushbackInputStream(client.getInputStream(), 1);
      int first = in.read();
      if (first < 0) {
        return;
      }
      if (first == TLS_HANDSHAKE_RECORD) {
        client.getOutputStream().write(("HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        return;
      }
      in.unread(first);
      try (Socket upstream = new Socket(target.getAddress(), target.getPort())) {
        Thread back = daemon(() -> pipe(upstream, client), "plain-http-front-back");
        pipe(in, upstream.getOutputStream());
        upstream.shutdownOutput();
        back.join();
      }
    } catch (IOException | InterruptedException e) {
      // the client or the server hung up
    }
  }

  private static void pipe(Socket from, Socket to) {
    try {
      pipe(from.getInputStream(), to.getOutputStream());
      to.shutdownOutput();
    } catch (IOException e) {
      // closed
    }
  }

  private static void pipe(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[64 * 1024];
    int n;
    try {
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away: end this direction
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // closing
    }
  }
}
