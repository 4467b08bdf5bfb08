package dev.dcont.registry.endpoint;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.http.ErrorBodies;
import dev.dcont.registry.http.Failures;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.Response;

/** A push request's unsuccessful answer as one line (the pull's wording in {@link Failures} speaks of pulls). */
final class PushFailures {
  private PushFailures() { }

  /**
   * @param repository the repository pushed to (its path)
   * @param what what the request was for ({@code "upload of blob sha256:…"}), for the message
   */
  static RegistryException status(Response r, String repository, String what) {
    List<ErrorBodies.RegistryError> errors = ErrorBodies.read(r);
    String reg = ErrorBodies.join(errors);
    String code = errors.isEmpty() ? "" : errors.get(0).code();
    HttpUrl url = r.request().url();
    String where = Failures.hostPort(url);
    int s = r.code();
    if (s == 401 || s == 403) {
      String login = url.host().endsWith("docker.io") ? "dcont login"
          : "dcont login " + (url.port() == HttpUrl.defaultPort(url.scheme()) ? url.host() : where);
      return new RegistryException(Kind.UNAUTHORIZED, (reg.isEmpty() ? "requested access to the resource is denied"
          : reg) + " by " + where + " (run '" + login + "' with an account that may push to " + repository + ")");
    }
    if (s == 404 && code.equals("NAME_UNKNOWN")) {
      return new RegistryException(Kind.NOT_FOUND, reg + " on " + where + " (does the repository " + repository
          + " exist there? some registries need it made first)");
    }
    if (s == 429) {
      return new RegistryException(Kind.RATE_LIMITED, "rate limited by " + where + " (429 Too Many Requests"
          + (reg.isEmpty() ? "" : ": " + reg) + "); wait and push again");
    }
    return new RegistryException(s >= 500 ? Kind.SERVER_ERROR : Kind.BAD_MANIFEST, "registry " + where
        + " answered HTTP " + s + (reg.isEmpty() ? "" : " (" + reg + ")") + " to the " + what);
  }

  /** The first error code of an answer's body ("" when none), reading the body. */
  static String code(Response r) {
    List<ErrorBodies.RegistryError> errors = ErrorBodies.read(r);
    return errors.isEmpty() ? "" : errors.get(0).code();
  }
}
