package dev.dcont.registry.endpoint;

import dev.dcont.registry.http.Failures;
import dev.dcont.registry.http.RegistryEndpoint;
import java.io.IOException;
import okhttp3.Request;
import okhttp3.Response;

/** {@code GET /v2/}: whether the registry is there and accepts our credentials (the interceptor answers its challenge). */
public final class PingEndpoint {
  private PingEndpoint() { }

  public static void ping(RegistryEndpoint ep) {
    Request req = new Request.Builder().url(ep.v2("")).get().build();
    try (Response r = ep.client().newCall(req).execute()) {
      if (!r.isSuccessful()) {
        throw Failures.status(r, Failures.Subject.PING, ep.hostPort());
      }
    } catch (IOException e) {
      throw Failures.io(e, ep.base());
    }
  }
}
