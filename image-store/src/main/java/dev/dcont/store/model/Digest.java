package dev.dcont.store.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:3f0a…}. Only well-formed digests can exist, so a
 * digest's hex part is always safe to use as a file name.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  public Digest {
    if (algorithm == null || hex == null) {
      throw new IllegalArgumentException("digest: algorithm and hex are required");
    }
    switch (algorithm) {
      case "sha256" -> {
        if (!SHA256.matcher(hex).matches()) {
          throw new IllegalArgumentException(
              "invalid digest sha256:" + abbreviate(hex) + " (expected 64 lowercase hex digits)");
        }
      }
      case "sha512" -> {
        if (!SHA512.matcher(hex).matches()) {
          throw new IllegalArgumentException(
              "invalid digest sha512:" + abbreviate(hex) + " (expected 128 lowercase hex digits)");
        }
      }
      default -> throw new IllegalArgumentException(
          "unsupported digest algorithm '" + abbreviate(algorithm) + "' (expected sha256)");
    }
  }

  /** Parses {@code algorithm:hex}; rejects anything else with a message fit for users. */
  public static Digest parse(String s) {
    if (s == null) {
      throw new IllegalArgumentException("digest is missing");
    }
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid digest '" + abbreviate(s) + "' (expected sha256:<64 hex digits>)");
    }
    return new Digest(s.substring(0, colon), s.substring(colon + 1));
  }

  public static boolean isValid(String s) {
    try {
      parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static Digest sha256(byte[] data) {
    return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(data)));
  }

  public static Digest sha256(String text) {
    return sha256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static Digest ofSha256(MessageDigest finished) {
    return new Digest("sha256", HexFormat.of().formatHex(finished.digest()));
  }

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** First 12 hex digits, as Docker shows image IDs. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  // written out: see ChainId
  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && algorithm.equals(d.algorithm) && hex.equals(d.hex);
  }

  @Override
  public int hashCode() {
    return 31 * algorithm.hashCode() + hex.hashCode();
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("[\\p{Cntrl}]", "?");
    return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
  }
}
