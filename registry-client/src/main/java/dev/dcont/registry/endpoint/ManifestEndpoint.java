package dev.dcont.registry.endpoint;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.http.Failures;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.WholeBody;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.stream.Collectors;
import okhttp3.Request;
import okhttp3.Response;

/**
 * {@code GET /v2/<name>/manifests/<tag|digest>}, accepting the OCI manifest and index and
 * Docker's v2 manifest and manifest list. Checks what comes back: at most 4 MiB (reading stops
 * there), the digest of the bytes as received against the requested digest and against
 * {@code Docker-Content-Digest}, a known media type that agrees with the body's
 * {@code mediaType}, and the document's shape ({@link DocumentShape}); refuses schema 1. The body is read whole
 * by the retry ({@link WholeBody}), so a cut anywhere in it is retried.
 */
public final class ManifestEndpoint {
  /** The distribution spec's recommended limit; registries reject larger manifests too. */
  public static final int MAX_BYTES = 4 * 1024 * 1024;
  static final String ACCEPT = MediaType.MANIFEST_TYPES.stream().map(MediaType::value)
      .collect(Collectors.joining(", "));

  private ManifestEndpoint() { }

  /**
   * @param repository the repository path ({@code library/ubuntu})
   * @param identifier a tag or digest
   * @param expected the digest the manifest must have, or null when pulling by tag
   */
  public static FetchedManifest fetch(RegistryEndpoint ep, String repository, String identifier, Digest expected) {
    Request req = WholeBody.mark(new Request.Builder()
        .url(ep.v2(repository + "/manifests/" + identifier))
        .header("Accept", ACCEPT)
        .get(), MAX_BYTES)
        .build();
    String what = "manifest " + identifier;
    try (Response r = ep.client().newCall(req).execute()) {
      if (!r.isSuccessful()) {
        throw Failures.status(r, Failures.Subject.MANIFEST, identifier);
      }
      long declared = r.body().contentLength();
      if (declared > MAX_BYTES) {
        throw tooLarge(what, declared + " bytes");
      }
      byte[] bytes;
      try (InputStream in = r.body().byteStream()) {
        bytes = in.readNBytes(MAX_BYTES + 1);
      }
      if (bytes.length > MAX_BYTES) {
        throw tooLarge(what, "more than " + MAX_BYTES + " bytes");
      }
      Digest actual = Digest.sha256(bytes);
      if (expected != null && !expected.equals(actual)) {
        throw new RegistryException(Kind.DIGEST_MISMATCH, what + " from " + ep.hostPort() + " has digest " + actual
            + ", not the requested " + expected + " (the registry or a proxy altered it)");
      }
      String served = r.header("Docker-Content-Digest");
      if (served != null && !served.isBlank()) {
        Digest sd;
        try {
          sd = Digest.parse(served.strip());
        } catch (IllegalArgumentException e) {
          throw new RegistryException(Kind.BAD_MANIFEST, what + ": invalid Docker-Content-Digest header: "
              + e.getMessage());
        }
        if (sd.algorithm().equals("sha256") && !sd.equals(actual)) {
          throw new RegistryException(Kind.DIGEST_MISMATCH, what + " from " + ep.hostPort() + " has digest " + actual
              + " but the registry says " + sd + " (Docker-Content-Digest); the download was corrupted, pull again");
        }
      }
      MediaType type = checkType(what, r.header("Content-Type"), bytes);
      return new FetchedManifest(actual, type, bytes);
    } catch (IOException e) {
      throw Failures.io(e, ep.base());
    }
  }

  private static RegistryException tooLarge(String what, String size) {
    return new RegistryException(Kind.BAD_MANIFEST, what + " is too large (" + size + "; the limit is 4 MiB)");
  }

  /** The manifest's type from Content-Type and the body's mediaType, which must agree. */
  static MediaType checkType(String what, String contentType, byte[] bytes) {
    MediaType header = null;
    if (contentType != null && !contentType.isBlank()) {
      String v = contentType.split(";", 2)[0].strip();
      if (!v.isEmpty()) {
        header = MediaType.of(v);
      }
    }
    Object parsed;
    try {
      parsed = Json.readAny(bytes, what);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(Kind.BAD_MANIFEST, e.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> body)) {
      throw new RegistryException(Kind.BAD_MANIFEST, what + " is not a JSON object");
    }
    MediaType declared = body.get("mediaType") instanceof String t && !t.isBlank() ? MediaType.of(t) : null;
    if ("1".equals(Json.text(body.get("schemaVersion"), "")) || (header != null && header.isSchema1() && declared == null)
        || (declared != null && declared.isSchema1())) {
      throw new RegistryException(Kind.BAD_MANIFEST, what + " is a Docker schema 1 manifest, which dcont does not"
          + " support (push the image again with a current Docker or buildah)");
    }
    if (declared != null && header != null && !header.value().equals("application/json") && !declared.equals(header)) {
      throw new RegistryException(Kind.BAD_MANIFEST, what + ": Content-Type " + header + " does not match its"
          + " mediaType " + declared + " (refusing an ambiguous manifest)");
    }
    MediaType type = declared != null ? declared : header;
    if (type == null || type.value().equals("application/json")) {
      // OCI allows the mediaType field to be absent: tell index from manifest by their fields
      type = body.containsKey("manifests") ? MediaType.OCI_INDEX
          : body.containsKey("config") ? MediaType.OCI_MANIFEST : null;
    }
    if (type == null || !MediaType.MANIFEST_TYPES.contains(type)) {
      throw new RegistryException(Kind.BAD_MANIFEST, what + " has unsupported media type "
          + (type == null ? "(none)" : type) + " (expected an OCI or Docker v2 image manifest or index)");
    }
    DocumentShape.check(what, type, body);
    return type;
  }
}
