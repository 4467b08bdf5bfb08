package dev.dcont.registry.http;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Trying a registry's endpoints in order (its mirrors, then itself): the first that answers is used. The two
 * schemes of one host (HTTPS, then plain HTTP, for loopback and insecure registries) are one place: the second is
 * tried only when the first could not be spoken to (no connection, or TLS failed), as Docker falls back, never
 * after the host answered (a 404 over HTTPS is the answer, not a reason to ask again in plain text).
 */
public final class Endpoints {
  private Endpoints() { }

  /** A value and the endpoint that gave it. */
  public record Answer<T>(RegistryEndpoint endpoint, T value) { }

  /**
   * The first answer of {@code endpoints}. When all fail, the last one's failure is thrown, except that a plain
   * HTTP try that met an HTTPS server gives way to the HTTPS try's own failure.
   */
  public static <T> Answer<T> first(List<RegistryEndpoint> endpoints, Function<RegistryEndpoint, T> f) {
    RegistryException last = null;
    RegistryEndpoint previous = null;
    for (RegistryEndpoint ep : endpoints) {
      if (last != null && sameHost(previous, ep) && !unspoken(last)) {
        continue;
      }
      try {
        return new Answer<>(ep, f.apply(ep));
      } catch (RegistryException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw e;
        }
        boolean keepEarlier = last != null && sameHost(previous, ep) && e.kind() == Kind.TLS
            && ep.base().scheme().equals("http");
        if (!keepEarlier) {
          last = e;
        }
        previous = ep;
      }
    }
    throw last != null ? last : new RegistryException(Kind.CONFIG, "no endpoint configured");
  }

  /** {@code all} with {@code first} moved to the front (the endpoint that served the manifest serves the blobs). */
  public static List<RegistryEndpoint> preferring(RegistryEndpoint first, List<RegistryEndpoint> all) {
    List<RegistryEndpoint> out = new ArrayList<>();
    out.add(first);
    for (RegistryEndpoint e : all) {
      if (e != first) {
        out.add(e);
      }
    }
    return out;
  }

  /** The failure happened before the host could answer: no connection, a cut on every try, or TLS. */
  private static boolean unspoken(RegistryException e) {
    return e.kind() == Kind.UNREACHABLE || e.kind() == Kind.TLS;
  }

  private static boolean sameHost(RegistryEndpoint a, RegistryEndpoint b) {
    return a != null && a.registry().equals(b.registry()) && a.mirror() == b.mirror()
        && a.base().host().equals(b.base().host()) && a.base().port() == b.base().port()
        && a.base().encodedPath().equals(b.base().encodedPath());
  }
}
