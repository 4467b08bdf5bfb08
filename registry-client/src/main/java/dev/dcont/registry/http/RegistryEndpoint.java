package dev.dcont.registry.http;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * One place a registry's API can be reached: a base URL (a mirror, or the registry itself over
 * HTTPS or HTTP) with the client configured for its TLS.
 *
 * @param registry the registry this endpoint serves ({@code docker.io}, {@code localhost:5000})
 * @param base the URL under which {@code v2/} lives, ending in {@code /}
 * @param mirror whether this is a mirror rather than the registry itself
 */
public record RegistryEndpoint(String registry, HttpUrl base, boolean mirror, OkHttpClient client) {
  /** {@code base + "v2/" + path}. */
  public HttpUrl v2(String path) {
    HttpUrl u = base.resolve("v2/" + path);
    if (u == null) {
      throw new IllegalArgumentException("bad registry path " + path);
    }
    return u;
  }

  public String hostPort() {
    return Failures.hostPort(base);
  }

  @Override
  public String toString() {
    return (mirror ? "mirror " : "") + base;
  }
}
