package dev.dcont.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    JsonNode root = read();
    Optional<String> helper = helperFor(root, registry);
    if (helper.isPresent()) {
      Optional<Credentials> c = new CredentialHelper(helper.get(), helperPath).get(serverKey(registry));
      if (c.isPresent()) {
        return c;
      }
    }
    JsonNode entry = authEntry(root, registry);
    return entry == null ? Optional.empty() : decode(entry, registry);
  }

  /** Saves credentials for {@code registry}, through the configured helper if there is one. */
  public void store(String registry, Credentials c) {
    String reg = canonicalRegistry(registry);
    ObjectNode root = readForUpdate();
    ObjectNode auths = root.with("auths");
    String key = serverKey(reg);
    removeAuthEntries(auths, reg);
    Optional<String> helper = helperFor(root, reg);
    if (helper.isPresent()) {
      new CredentialHelper(helper.get(), helperPath).store(key, c);
      auths.putObject(key);
    } else {
      ObjectNode e = auths.putObject(key);
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
    ObjectNode root = readForUpdate();
    Optional<String> helper = helperFor(root, reg);
    if (helper.isPresent()) {
      new CredentialHelper(helper.get(), helperPath).erase(serverKey(reg));
    }
    JsonNode auths = root.get("auths");
    boolean removed = auths instanceof ObjectNode o && removeAuthEntries(o, reg);
    if (removed) {
      write(root);
    }
    return removed || helper.isPresent();
  }

  private static boolean removeAuthEntries(ObjectNode auths, String registry) {
    boolean removed = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      if (canonicalRegistry(it.next().getKey()).equals(registry)) {
        it.remove();
        removed = true;
      }
    }
    return removed;
  }

  private static Optional<String> helperFor(JsonNode root, String registry) {
    JsonNode helpers = root.path("credHelpers");
    for (Iterator<Map.Entry<String, JsonNode>> it = helpers.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (canonicalRegistry(e.getKey()).equals(registry) && !e.getValue().asText("").isEmpty()) {
        return Optional.of(e.getValue().asText());
      }
    }
    String store = root.path("credsStore").asText("");
    return store.isEmpty() ? Optional.empty() : Optional.of(store);
  }

  private static JsonNode authEntry(JsonNode root, String registry) {
    JsonNode auths = root.path("auths");
    JsonNode exact = auths.get(serverKey(registry));
    if (exact != null) {
      return exact;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (canonicalRegistry(e.getKey()).equals(registry)) {
        return e.getValue();
      }
    }
    return null;
  }

  private Optional<Credentials> decode(JsonNode entry, String registry) {
    String token = entry.path("identitytoken").asText("");
    String user = entry.path("username").asText("");
    String pass = entry.path("password").asText("");
    String auth = entry.path("auth").asText("");
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

  private JsonNode read() {
    if (!Files.exists(file)) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      byte[] b = Files.readAllBytes(file);
      if (b.length == 0) {
        return Json.MAPPER.createObjectNode();
      }
      JsonNode n = Json.read(b, JsonNode.class, "Docker config " + file);
      if (!n.isObject()) {
        throw new RegistryException(RegistryException.Kind.CONFIG, "Docker config " + file + ": not a JSON object");
      }
      return n;
    } catch (IllegalArgumentException e) {
      throw new RegistryException(RegistryException.Kind.CONFIG, e.getMessage() + " (fix or remove the file)", e);
    } catch (IOException e) {
      throw new RegistryException(RegistryException.Kind.CONFIG, "Docker config " + file + ": cannot read: " + e, e);
    }
  }

  private ObjectNode readForUpdate() {
    return (ObjectNode) read();
  }

  private void write(ObjectNode root) {
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
      byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
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
