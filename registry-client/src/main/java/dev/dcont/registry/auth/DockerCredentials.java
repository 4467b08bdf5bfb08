package dev.dcont.registry.auth;

import dev.dcont.registry.RegistryException;
import dev.dcont.store.model.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Docker's client configuration file ({@code config.json}) as a credential source and sink:
 * {@code auths} entries ({@code auth} = base64 of {@code user:password}, or {@code username} /
 * {@code password}, or {@code identitytoken}), {@code credHelpers} per registry and the global
 * {@code credsStore}, both run as {@code docker-credential-<name>} programs. Docker Hub is keyed
 * {@code https://index.docker.io/v1/}. Writes keep all other keys and replace the file atomically
 * with mode 0600.
 */
public final class DockerCredentials implements CredentialSource {
  public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";
  private final Path file;
  private final List<Path> helperPath;

  public DockerCredentials(Path file, List<Path> helperPath) {
    this.file = file;
    this.helperPath = List.copyOf(helperPath);
  }

  public Path file() {
    return file;
  }

  /** The registry name credentials are filed under: docker.io and its API hosts are one. */
  public static String canonicalRegistry(String hostOrUrl) {
    String s = hostOrUrl.strip().toLowerCase(Locale.ROOT);
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    if (s.equals("index.docker.io") || s.equals("registry-1.docker.io") || s.equals("registry.hub.docker.com")) {
      return "docker.io";
    }
    return s;
  }

  /** The key under {@code auths} (and the server URL given to helpers) for a registry. */
  public static String serverKey(String registry) {
    String c = canonicalRegistry(registry);
    return c.equals("docker.io") ? DOCKER_HUB_KEY : c;
  }

  @Override
  public Optional<Credentials> lookup(String host) {
    String registry = canonicalRegistry(host);
    Map<String, Object> root = read();
    Optional<String> helper = helperFor(root, registry);
    if (helper.isPresent()) {
      Optional<Credentials> c = new CredentialHelper(helper.get(), helperPath).get(serverKey(registry));
      if (c.isPresent()) {
        return c;
      }
    }
    Map<?, ?> entry = authEntry(root, registry);
    return entry == null ? Optional.empty() : decode(entry, registry);
  }

  /** Saves credentials for {@code registry}, through the configured helper if there is one. */
  public void store(String registry, Credentials c) {
    String reg = canonicalRegistry(registry);
    Map<String, Object> root = read();
    Map<String, Object> auths = object(root, "auths");
    String key = serverKey(reg);
    removeAuthEntries(auths, reg);
    Optional<String> helper = helperFor(root, reg);
    if (helper.isPresent()) {
      new CredentialHelper(helper.get(), helperPath).store(key, c);
      auths.put(key, new LinkedHashMap<String, Object>());
    } else {
      Map<String, Object> e = new LinkedHashMap<>();
      auths.put(key, e);
      if (c.hasIdentityToken()) {
        e.put("identitytoken", c.identityToken());
      } else {
        e.put("auth", Base64.getEncoder().encodeToString(
            (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8)));
      }
    }
    write(root);
  }

  /** Removes the credentials of {@code registry}; returns whether there were any in the file or helper. */
  public boolean remove(String registry) {
    String reg = canonicalRegistry(registry);
    Map<String, Object> root = read();
    Optional<String> helper = helperFor(root, reg);
    if (helper.isPresent()) {
      new CredentialHelper(helper.get(), helperPath).erase(serverKey(reg));
    }
    boolean removed = root.get("auths") instanceof Map<?, ?> auths && removeAuthEntries(auths, reg);
    if (removed) {
      write(root);
    }
    return removed || helper.isPresent();
  }

  private static boolean removeAuthEntries(Map<?, ?> auths, String registry) {
    boolean removed = false;
    for (Iterator<?> it = auths.keySet().iterator(); it.hasNext(); ) {
      if (canonicalRegistry((String) it.next()).equals(registry)) {
        it.remove();
        removed = true;
      }
    }
    return removed;
  }

  /** The object under {@code key}, made when there is none (anything else there is replaced). */
  private static Map<String, Object> object(Map<String, Object> root, String key) {
    if (root.get(key) instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> o = (Map<String, Object>) m;
      return o;
    }
    Map<String, Object> o = new LinkedHashMap<>();
    root.put(key, o);
    return o;
  }

  private static Optional<String> helperFor(Map<String, Object> root, String registry) {
    if (root.get("credHelpers") instanceof Map<?, ?> helpers) {
      for (Map.Entry<?, ?> e : helpers.entrySet()) {
        String name = Json.text(e.getValue(), "");
        if (canonicalRegistry((String) e.getKey()).equals(registry) && !name.isEmpty()) {
          return Optional.of(name);
        }
      }
    }
    String store = Json.text(root.get("credsStore"), "");
    return store.isEmpty() ? Optional.empty() : Optional.of(store);
  }

  private static Map<?, ?> authEntry(Map<String, Object> root, String registry) {
    if (!(root.get("auths") instanceof Map<?, ?> auths)) {
      return null;
    }
    if (auths.get(serverKey(registry)) instanceof Map<?, ?> exact) {
      return exact;
    }
    for (Map.Entry<?, ?> e : auths.entrySet()) {
      if (canonicalRegistry((String) e.getKey()).equals(registry)) {
        return e.getValue() instanceof Map<?, ?> m ? m : Map.of();
      }
    }
    return null;
  }

  private Optional<Credentials> decode(Map<?, ?> entry, String registry) {
    String token = Json.text(entry.get("identitytoken"), "");
    String user = Json.text(entry.get("username"), "");
    String pass = Json.text(entry.get("password"), "");
    String auth = Json.text(entry.get("auth"), "");
    if (!auth.isEmpty()) {
      String plain;
      try {
        plain = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new RegistryException(RegistryException.Kind.CONFIG, "credentials for " + registry + " in " + file
            + ": 'auth' is not base64 (run 'dcont login " + registry + "' again)");
      }
      int colon = plain.indexOf(':');
      if (colon < 0) {
        throw new RegistryException(RegistryException.Kind.CONFIG, "credentials for " + registry + " in " + file
            + ": 'auth' is not user:password (run 'dcont login " + registry + "' again)");
      }
      user = plain.substring(0, colon);
      pass = plain.substring(colon + 1);
    }
    if (!token.isEmpty()) {
      return Optional.of(new Credentials(user.isEmpty() ? null : user, null, token));
    }
    if (user.isEmpty() && pass.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Credentials.basic(user, pass));
  }

  /** The file's object, a new empty one when there is no file (or an empty one). */
  private Map<String, Object> read() {
    if (!Files.exists(file)) {
      return new LinkedHashMap<>();
    }
    try {
      byte[] b = Files.readAllBytes(file);
      if (b.length == 0) {
        return new LinkedHashMap<>();
      }
      Object n = Json.readAny(b, "Docker config " + file);
      if (!(n instanceof Map)) {
        throw new RegistryException(RegistryException.Kind.CONFIG, "Docker config " + file + ": not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> root = (Map<String, Object>) n;
      return root;
    } catch (IllegalArgumentException e) {
      throw new RegistryException(RegistryException.Kind.CONFIG, e.getMessage() + " (fix or remove the file)", e);
    } catch (IOException e) {
      throw new RegistryException(RegistryException.Kind.CONFIG, "Docker config " + file + ": cannot read: " + e, e);
    }
  }

  private void write(Map<String, Object> root) {
    Path dir = file.toAbsolutePath().getParent();
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    Path tmp = null;
    try {
      if (!Files.isDirectory(dir)) {
        if (posix) {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(dir);
        }
      }
      tmp = posix
          ? Files.createTempFile(dir, ".config.json", ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
          : Files.createTempFile(dir, ".config.json", ".tmp");
      byte[] bytes = Json.pretty(root).getBytes(StandardCharsets.UTF_8);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new RegistryException(RegistryException.Kind.CONFIG, "Docker config " + file + ": cannot write: " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }
}
