package dev.dcont.registry.http;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.auth.DockerCredentials;
import dev.dcont.store.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mirrors and insecure registries, from a JSON file (see docs/registries.md):
 *
 * <pre>{@code
 * { "registries": {
 *     "docker.io":       { "mirrors": ["https://mirror.example.com", "localhost:5001"] },
 *     "registry.lan:5000": { "insecure": true } } }
 * }</pre>
 *
 * Keys are registry names as in image references ({@code docker.io} for Docker Hub). A missing
 * file means no mirrors and no insecure registries.
 */
public record RegistriesConfig(Map<String, Entry> registries) {
  /** One registry's settings: mirrors tried in order before it, and whether TLS is optional. */
  public record Entry(List<String> mirrors, boolean insecure) {
    public static final Entry NONE = new Entry(List.of(), false);

    public Entry {
      mirrors = List.copyOf(mirrors);
    }
  }

  public static final RegistriesConfig EMPTY = new RegistriesConfig(Map.of());

  public RegistriesConfig {
    registries = Map.copyOf(registries);
  }

  public static RegistriesConfig load(Path file) {
    if (file == null || !Files.exists(file)) {
      return EMPTY;
    }
    try {
      return parse(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new RegistryException(Kind.CONFIG, "registries config " + file + ": cannot read: " + e, e);
    }
  }

  public static RegistriesConfig parse(byte[] json, String what) {
    Object root;
    try {
      root = Json.readAny(json, "registries config " + what);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(Kind.CONFIG, e.getMessage(), e);
    }
    if (!(root instanceof Map<?, ?> r) || !(r.get("registries") instanceof Map<?, ?> regs)) {
      throw new RegistryException(Kind.CONFIG, "registries config " + what
          + ": expected {\"registries\": {\"<host>\": {\"mirrors\": [...], \"insecure\": bool}}}");
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : regs.entrySet()) {
      Map<?, ?> v = e.getValue() instanceof Map<?, ?> m ? m : Map.of();
      List<String> mirrors = new ArrayList<>();
      if (v.containsKey("mirrors") && !(v.get("mirrors") instanceof List)) {
        throw new RegistryException(Kind.CONFIG, "registries config " + what + ": " + e.getKey()
            + ".mirrors must be a list of URLs");
      }
      for (Object x : v.containsKey("mirrors") ? (List<?>) v.get("mirrors") : List.of()) {
        String s = Json.text(x, "").strip();
        if (s.isEmpty()) {
          throw new RegistryException(Kind.CONFIG, "registries config " + what + ": " + e.getKey()
              + ".mirrors has an empty entry");
        }
        mirrors.add(s);
      }
      Object insecure = v.get("insecure");
      if (v.containsKey("insecure") && !(insecure instanceof Boolean)) {
        throw new RegistryException(Kind.CONFIG, "registries config " + what + ": " + e.getKey()
            + ".insecure must be true or false");
      }
      out.put(DockerCredentials.canonicalRegistry((String) e.getKey()), new Entry(mirrors, Boolean.TRUE.equals(insecure)));
    }
    return new RegistriesConfig(out);
  }

  /** Settings of a registry (by reference domain or API host); {@link Entry#NONE} when not listed. */
  public Entry entry(String registry) {
    return registries.getOrDefault(DockerCredentials.canonicalRegistry(registry), Entry.NONE);
  }
}
