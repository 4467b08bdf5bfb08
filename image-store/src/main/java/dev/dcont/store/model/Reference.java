package dev.dcont.store.model;

import java.util.regex.Pattern;

/**
 * An image reference as Docker writes it, normalised: {@code ubuntu} is
 * {@code docker.io/library/ubuntu:latest}. {@link #toString()} prints the normalised form.
 */
public record Reference(String domain, String path, String tag, Digest digest) {
  public static final String DOCKER_HUB = "docker.io";
  public static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
  public static final String DEFAULT_TAG = "latest";

  private static final Pattern DOMAIN = Pattern.compile(
      "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
          + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final int MAX_NAME = 255;

  public Reference {
    if (!DOMAIN.matcher(domain).matches()) {
      throw new IllegalArgumentException("invalid registry host '" + domain + "'");
    }
    for (String c : path.split("/", -1)) {
      if (!COMPONENT.matcher(c).matches()) {
        throw new IllegalArgumentException("invalid repository name '" + path + "'");
      }
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("invalid tag '" + tag
          + "' (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
    }
  }

  /** Parses a reference the way {@code docker pull} does and normalises it. */
  public static Reference parse(String ref) {
    if (ref == null || ref.isEmpty()) {
      throw new IllegalArgumentException("image reference is empty");
    }
    if (!ref.equals(ref.strip()) || ref.chars().anyMatch(ch -> ch <= ' ' || ch >= 127)) {
      throw new IllegalArgumentException("invalid reference format '" + printable(ref) + "': whitespace or control characters");
    }
    String rest = ref;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      String d = rest.substring(at + 1);
      try {
        digest = Digest.parse(d);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid reference format '" + printable(ref) + "': " + e.getMessage());
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int slash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > slash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException("invalid reference format '" + printable(ref) + "': invalid tag '" + printable(tag)
            + "' (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
      }
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("invalid reference format '" + printable(ref) + "': repository name is empty");
    }
    if (rest.length() > MAX_NAME) {
      throw new IllegalArgumentException("invalid reference format: repository name longer than " + MAX_NAME + " characters");
    }
    String domain;
    String path;
    int first = rest.indexOf('/');
    String head = first < 0 ? null : rest.substring(0, first);
    if (head != null && (head.contains(".") || head.contains(":") || head.equals("localhost")
        || !head.equals(head.toLowerCase(java.util.Locale.ROOT)))) {
      domain = head;
      path = rest.substring(first + 1);
    } else {
      domain = DOCKER_HUB;
      path = rest;
    }
    if (domain.equals("index.docker.io") || domain.equals("registry-1.docker.io")) {
      domain = DOCKER_HUB;
    }
    if (!path.equals(path.toLowerCase(java.util.Locale.ROOT))) {
      throw new IllegalArgumentException("invalid reference format '" + printable(ref) + "': repository name must be lowercase");
    }
    if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
      path = "library/" + path;
    }
    if (!DOMAIN.matcher(domain).matches()) {
      throw new IllegalArgumentException("invalid reference format '" + printable(ref) + "': invalid registry host '" + domain + "'");
    }
    for (String c : path.split("/", -1)) {
      if (!COMPONENT.matcher(c).matches()) {
        throw new IllegalArgumentException("invalid reference format '" + printable(ref) + "': invalid repository name '" + path
            + "' (lowercase letters, digits and separators '.', '_', '__', '-' between them)");
      }
    }
    if (tag == null && digest == null) {
      tag = DEFAULT_TAG;
    }
    return new Reference(domain, path, tag, digest);
  }

  /** Host (and port) that serves the registry API: {@code docker.io} is served by {@code registry-1.docker.io}. */
  public String registryHost() {
    return domain.equals(DOCKER_HUB) ? DOCKER_HUB_API_HOST : domain;
  }

  /** {@code domain/path}. */
  public String repository() {
    return domain + "/" + path;
  }

  /** The tag or digest to ask the registry for. */
  public String identifier() {
    return digest != null ? digest.toString() : tag;
  }

  public Reference withTag(String t) {
    return new Reference(domain, path, t, null);
  }

  public Reference withDigest(Digest d) {
    return new Reference(domain, path, null, d);
  }

  /** The short name Docker shows: {@code ubuntu} for {@code docker.io/library/ubuntu}. */
  public String familiarRepository() {
    if (domain.equals(DOCKER_HUB)) {
      return path.startsWith("library/") ? path.substring("library/".length()) : path;
    }
    return repository();
  }

  public String familiarName() {
    return familiarRepository() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }

  @Override
  public String toString() {
    return repository() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }

  private static String printable(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 60 ? clean.substring(0, 60) + "…" : clean;
  }
}
