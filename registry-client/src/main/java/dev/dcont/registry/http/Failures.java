package dev.dcont.registry.http;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import javax.net.ssl.SSLException;
import okhttp3.HttpUrl;
import okhttp3.Response;

/** Turns I/O failures and HTTP error statuses into one-line {@link RegistryException}s. */
public final class Failures {
  private Failures() { }

  /** {@code host:port} as users typed it (IPv6 in brackets). */
  public static String hostPort(HttpUrl u) {
    String h = u.host().contains(":") ? "[" + u.host() + "]" : u.host();
    return h + ":" + u.port();
  }

  public static RegistryException io(IOException e, HttpUrl url) {
    String where = hostPort(url);
    if (e instanceof RegistryFailureIOException w) {
      return w.failure();
    }
    if (e instanceof RetriesExhaustedException r) {
      return exhausted(r);
    }
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        root = t;
        break;
      }
    }
    if (root instanceof SSLException ssl) {
      return new RegistryException(Kind.TLS, "TLS with " + where + " failed (" + message(ssl) + "); put the registry's CA"
          + " in /etc/dcont/certs.d/" + where + "/ca.crt, or list it as insecure in registries.json", e);
    }
    if (e instanceof UnknownHostException) {
      return new RegistryException(Kind.UNREACHABLE, "registry " + where + " unreachable: unknown host " + url.host()
          + " (check the name and your DNS)", e);
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return new RegistryException(Kind.UNREACHABLE, "registry " + where + " unreachable: " + message(e)
          + " (is it running? check the address, port and any proxy)", e);
    }
    if (e instanceof SocketTimeoutException) {
      return new RegistryException(Kind.UNREACHABLE, "registry " + where + " did not answer in time ("
          + message(e) + "); check the network or try again", e);
    }
    if (e instanceof InterruptedIOException) {
      return new RegistryException(Kind.UNREACHABLE, "request to " + where + " interrupted", e);
    }
    return new RegistryException(Kind.UNREACHABLE, "connection to registry " + where + " failed: " + message(e), e);
  }

  public static RegistryException exhausted(RetriesExhaustedException r) {
    String reg = r.registryMessage() == null || r.registryMessage().isEmpty() ? "" : ": " + r.registryMessage();
    if (r.lastStatus() == 429) {
      String wait = r.retryAfter() == null ? "" : " (the registry asks to wait " + r.retryAfter().toSeconds() + " s)";
      return new RegistryException(Kind.RATE_LIMITED, "rate limited by " + r.host() + " (429 Too Many Requests"
          + reg + ") after " + r.attempts() + " tries" + wait + "; wait and retry, or 'dcont login' for a higher limit", r);
    }
    if (r.lastStatus() > 0) {
      return new RegistryException(Kind.SERVER_ERROR, "registry " + r.host() + " failed with HTTP " + r.lastStatus()
          + reg + " on each of " + r.attempts() + " tries; try again later", r);
    }
    IOException cause = r.getCause() instanceof IOException io ? io : r;
    return new RegistryException(Kind.UNREACHABLE, "connection to registry " + r.host() + " failed on each of "
        + r.attempts() + " tries (last: " + message(cause) + ")", r);
  }

  /** What the request was after, for the 404 message. */
  public enum Subject { MANIFEST, BLOB, PING, TOKEN }

  /** An unsuccessful response: reads its error body and maps the status. Does not close the response. */
  public static RegistryException status(Response r, Subject subject, String id) {
    List<ErrorBodies.RegistryError> errors = ErrorBodies.read(r);
    String reg = ErrorBodies.join(errors);
    String code = errors.isEmpty() ? "" : errors.get(0).code();
    String where = hostPort(r.request().url());
    int s = r.code();
    if (s == 401 || s == 403) {
      return new RegistryException(Kind.UNAUTHORIZED, (reg.isEmpty() ? "access denied" : reg) + " by " + where
          + " (does the repository exist? if it is private, run 'dcont login" + loginHost(r.request().url()) + "')");
    }
    if (s == 404) {
      return switch (subject) {
        case MANIFEST -> {
          if (code.equals("NAME_UNKNOWN")) {
            yield new RegistryException(Kind.NOT_FOUND, reg + " (does the repository exist?)");
          }
          yield new RegistryException(Kind.NOT_FOUND, (reg.isEmpty() ? "manifest unknown" : reg)
              + (id.startsWith("sha256:") ? " (does the digest exist in this repository?)" : " (does the tag exist?)"));
        }
        case BLOB -> new RegistryException(Kind.NOT_FOUND, "blob " + id + " not found on " + where
            + (reg.isEmpty() ? "" : " (" + reg + ")") + "; the image in the registry is incomplete, push it again");
        case PING -> new RegistryException(Kind.NOT_FOUND, where + " does not serve the registry API at /v2/"
            + " (is this a registry?)");
        case TOKEN -> new RegistryException(Kind.UNAUTHORIZED, "token service " + r.request().url().newBuilder()
            .query(null).build() + " not found (HTTP 404)");
      };
    }
    if (s == 400 && r.request().url().scheme().equals("http") && reg.contains("HTTPS")) {
      // Go's and nginx's answer to plain HTTP on a TLS port: the registry speaks HTTPS there
      return new RegistryException(Kind.TLS, "registry " + where + " serves HTTPS on this port, not plain HTTP"
          + " (it answered: " + reg + "); use https:// for it");
    }
    if (s == 429) {
      return new RegistryException(Kind.RATE_LIMITED, "rate limited by " + where + " (429 Too Many Requests"
          + (reg.isEmpty() ? "" : ": " + reg) + "); wait and retry, or 'dcont login' for a higher limit");
    }
    return new RegistryException(Kind.SERVER_ERROR, "registry " + where
        + " answered HTTP " + s + (reg.isEmpty() ? "" : " (" + reg + ")") + " to the " + subject.name().toLowerCase()
        + " request for " + id);
  }

  private static String loginHost(HttpUrl u) {
    if (u.host().endsWith("docker.io")) {
      return "";
    }
    return " " + (u.port() == HttpUrl.defaultPort(u.scheme()) ? u.host() : hostPort(u));
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return (m == null || m.isBlank() ? t.getClass().getSimpleName() : m).replaceAll("\\s+", " ");
  }
}
