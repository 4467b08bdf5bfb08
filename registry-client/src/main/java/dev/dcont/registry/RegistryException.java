package dev.dcont.registry;

/**
 * A registry operation failed. The message is one user-facing line; {@link #in(String)} prefixes
 * the operation ({@code pull 127.0.0.1:5000/nope:latest: manifest unknown (does the tag exist?)}).
 */
public class RegistryException extends RuntimeException {
  /** What went wrong, for exit codes and for deciding whether a mirror fallback makes sense. */
  public enum Kind {
    /** The manifest, blob or repository does not exist. */
    NOT_FOUND,
    /** Credentials missing, wrong, or without pull access. */
    UNAUTHORIZED,
    /** Host not resolvable, connection refused or timed out. */
    UNREACHABLE,
    /** TLS handshake or certificate failure. */
    TLS,
    /** 429 Too Many Requests, still after the retries. */
    RATE_LIMITED,
    /** The registry answered 5xx, still after the retries, or something else unexpected. */
    SERVER_ERROR,
    /** Manifest of an unsupported type, schema 1, too large, or malformed. */
    BAD_MANIFEST,
    /** Content did not hash to, or was not the size of, what was asked for. */
    DIGEST_MISMATCH,
    /** Local configuration (credentials file, registries.json, certs.d) is unusable. */
    CONFIG
  }

  private final Kind kind;
  private final String detail;
  private final String context;

  public RegistryException(Kind kind, String detail) {
    this(kind, null, detail, null);
  }

  public RegistryException(Kind kind, String detail, Throwable cause) {
    this(kind, null, detail, cause);
  }

  private RegistryException(Kind kind, String context, String detail, Throwable cause) {
    super(context == null ? detail : context + ": " + detail, cause);
    this.kind = kind;
    this.detail = detail;
    this.context = context;
  }

  public Kind kind() {
    return kind;
  }

  /** The message without the operation prefix. */
  public String detail() {
    return detail;
  }

  /** This failure, prefixed with the operation ({@code "pull " + ref}); keeps an existing prefix. */
  public RegistryException in(String operation) {
    if (context != null) {
      return this;
    }
    RegistryException e = new RegistryException(kind, operation, detail, getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }
}
