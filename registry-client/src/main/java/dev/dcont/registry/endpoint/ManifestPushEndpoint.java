package dev.dcont.registry.endpoint;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.auth.TokenScope;
import dev.dcont.registry.http.Failures;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import java.io.IOException;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * {@code PUT /v2/<name>/manifests/<tag|digest>}: a manifest or index, byte for byte as stored (its digest is the
 * digest of these bytes, so they are never re-serialised), with its media type as {@code Content-Type}. The
 * registry's {@code Docker-Content-Digest} must be that digest.
 */
public final class ManifestPushEndpoint {
  private ManifestPushEndpoint() { }

  public static void put(RegistryEndpoint ep, String repository, String reference, MediaType type, byte[] bytes,
      Digest digest) {
    Request req = new Request.Builder().url(ep.v2(repository + "/manifests/" + reference))
        .tag(TokenScope.class, TokenScope.push(repository))
        .put(RequestBody.create(bytes, okhttp3.MediaType.get(type.value())))
        .build();
    try (Response r = ep.client().newCall(req).execute()) {
      if (r.code() != 201 && r.code() != 200 && r.code() != 202) {
        throw PushFailures.status(r, repository, "manifest " + digest);
      }
      String served = r.header("Docker-Content-Digest");
      if (served != null && !served.isBlank() && !served.strip().equals(digest.toString())) {
        throw new RegistryException(Kind.DIGEST_MISMATCH, "manifest " + digest + ": " + ep.hostPort()
            + " stored it as " + served.strip() + " (the registry or a proxy altered it)");
      }
    } catch (IOException e) {
      throw Failures.io(e, ep.base());
    }
  }
}
