package dev.dcont.registry;

import java.io.File;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the registry client. {@link #defaults()} reads the environment the way Docker
 * does; tests build their own with {@link #builder()}.
 *
 * @param credentialsFile Docker's {@code config.json} ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json};
 *     the system property {@code dcont.docker.config} wins over {@code $DOCKER_CONFIG})
 * @param registriesConfig mirrors and insecure registries ({@code $DCONT_REGISTRIES_CONFIG}, else {@code /etc/dcont/registries.json};
 *     the system property {@code dcont.registries.config} wins over the variable)
 * @param certsDirs directories holding {@code <host:port>/{ca.crt,client.cert,client.key}}, first match wins
 *     (system property {@code dcont.certs.dirs}, path-separator separated, replaces the defaults)
 * @param credentialHelperPath where {@code docker-credential-<name>} programs are looked up ({@code $PATH})
 * @param maxConcurrentDownloads layers downloaded at once (Docker's {@code max-concurrent-downloads}, 3)
 * @param maxAttempts tries per request before giving up (5)
 * @param backoffBase first retry wait; doubles per try (500 ms)
 * @param maxBackoff cap of one wait, also of a server's {@code Retry-After} (60 s)
 */
public record RegistryOptions(
    Path credentialsFile,
    Path registriesConfig,
    List<Path> certsDirs,
    List<Path> credentialHelperPath,
    int maxConcurrentDownloads,
    int maxAttempts,
    Duration backoffBase,
    Duration maxBackoff,
    Sleeper sleeper,
    Clock clock,
    String userAgent,
    Duration connectTimeout,
    Duration readTimeout) {

  public static final String VERSION = versionOrDev();

  public RegistryOptions {
    Objects.requireNonNull(credentialsFile, "credentialsFile");
    certsDirs = List.copyOf(certsDirs);
    credentialHelperPath = List.copyOf(credentialHelperPath);
    if (maxConcurrentDownloads < 1) {
      throw new IllegalArgumentException("maxConcurrentDownloads must be at least 1, not " + maxConcurrentDownloads);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("retries: at least 1 attempt is needed, not " + maxAttempts);
    }
  }

  public static RegistryOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.credentialsFile = credentialsFile;
    b.registriesConfig = registriesConfig;
    b.certsDirs = new ArrayList<>(certsDirs);
    b.credentialHelperPath = new ArrayList<>(credentialHelperPath);
    b.maxConcurrentDownloads = maxConcurrentDownloads;
    b.maxAttempts = maxAttempts;
    b.backoffBase = backoffBase;
    b.maxBackoff = maxBackoff;
    b.sleeper = sleeper;
    b.clock = clock;
    b.userAgent = userAgent;
    b.connectTimeout = connectTimeout;
    b.readTimeout = readTimeout;
    return b;
  }

  /** System property naming Docker's config directory; wins over {@code $DOCKER_CONFIG} (in-process tests). */
  public static final String DOCKER_CONFIG_PROPERTY = "dcont.docker.config";
  /** System property naming the registries config file; wins over {@code $DCONT_REGISTRIES_CONFIG}. */
  public static final String REGISTRIES_CONFIG_PROPERTY = "dcont.registries.config";
  /** System property listing certs.d directories (path-separator separated); replaces the defaults. */
  public static final String CERTS_DIRS_PROPERTY = "dcont.certs.dirs";

  /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
  public static Path defaultCredentialsFile() {
    String dir = System.getProperty(DOCKER_CONFIG_PROPERTY);
    if (dir == null || dir.isEmpty()) {
      dir = System.getenv("DOCKER_CONFIG");
    }
    if (dir != null && !dir.isEmpty()) {
      return Path.of(dir, "config.json");
    }
    return Path.of(System.getProperty("user.home"), ".docker", "config.json");
  }

  /** {@code $DCONT_REGISTRIES_CONFIG}, else {@code /etc/dcont/registries.json} (absent = no mirrors). */
  public static Path defaultRegistriesConfig() {
    String f = System.getProperty(REGISTRIES_CONFIG_PROPERTY);
    if (f == null || f.isEmpty()) {
      f = System.getenv("DCONT_REGISTRIES_CONFIG");
    }
    return Path.of(f != null && !f.isEmpty() ? f : "/etc/dcont/registries.json");
  }

  /** {@code /etc/dcont/certs.d}, then {@code /etc/docker/certs.d}. */
  public static List<Path> defaultCertsDirs() {
    String dirs = System.getProperty(CERTS_DIRS_PROPERTY);
    if (dirs != null && !dirs.isEmpty()) {
      List<Path> out = new ArrayList<>();
      for (String d : dirs.split(File.pathSeparator)) {
        if (!d.isEmpty()) {
          out.add(Path.of(d));
        }
      }
      return out;
    }
    return List.of(Path.of("/etc/dcont/certs.d"), Path.of("/etc/docker/certs.d"));
  }

  public static List<Path> defaultHelperPath() {
    String path = System.getenv("PATH");
    List<Path> out = new ArrayList<>();
    if (path != null) {
      for (String p : path.split(File.pathSeparator)) {
        if (!p.isEmpty()) {
          out.add(Path.of(p));
        }
      }
    }
    return out;
  }

  private static String versionOrDev() {
    String v = RegistryOptions.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Builder with Docker's defaults. */
  public static final class Builder {
    private Path credentialsFile = defaultCredentialsFile();
    private Path registriesConfig = defaultRegistriesConfig();
    private List<Path> certsDirs = new ArrayList<>(defaultCertsDirs());
    private List<Path> credentialHelperPath = defaultHelperPath();
    private int maxConcurrentDownloads = 3;
    private int maxAttempts = 5;
    private Duration backoffBase = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(60);
    private Sleeper sleeper = Sleeper.REAL;
    private Clock clock = Clock.systemUTC();
    private String userAgent = "dcont/" + VERSION;
    private Duration connectTimeout = Duration.ofSeconds(30);
    private Duration readTimeout = Duration.ofSeconds(60);

    public Builder credentialsFile(Path p) {
      credentialsFile = p;
      return this;
    }

    public Builder registriesConfig(Path p) {
      registriesConfig = p;
      return this;
    }

    public Builder certsDirs(List<Path> dirs) {
      certsDirs = new ArrayList<>(dirs);
      return this;
    }

    public Builder credentialHelperPath(List<Path> dirs) {
      credentialHelperPath = new ArrayList<>(dirs);
      return this;
    }

    public Builder maxConcurrentDownloads(int n) {
      maxConcurrentDownloads = n;
      return this;
    }

    /** Total tries per request (1 = no retry). */
    public Builder maxAttempts(int n) {
      maxAttempts = n;
      return this;
    }

    public Builder backoffBase(Duration d) {
      backoffBase = d;
      return this;
    }

    public Builder maxBackoff(Duration d) {
      maxBackoff = d;
      return this;
    }

    public Builder sleeper(Sleeper s) {
      sleeper = s;
      return this;
    }

    public Builder clock(Clock c) {
      clock = c;
      return this;
    }

    public Builder userAgent(String ua) {
      userAgent = ua;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      connectTimeout = d;
      return this;
    }

    public Builder readTimeout(Duration d) {
      readTimeout = d;
      return this;
    }

    public RegistryOptions build() {
      return new RegistryOptions(credentialsFile, registriesConfig, certsDirs, credentialHelperPath,
          maxConcurrentDownloads, maxAttempts, backoffBase, maxBackoff, sleeper, clock, userAgent,
          connectTimeout, readTimeout);
    }
  }
}
