package dev.dcont.store.model;

import java.util.List;
import java.util.Locale;

/** An OCI platform: os/architecture[/variant], normalised as containerd does. */
public record Platform(
    String architecture,
    String os,
    String osVersion,
    List<String> osFeatures,
    String variant) {

  public Platform(String os, String architecture, String variant) {
    this(architecture, os, null, null, variant);
  }

  /** Parses {@code os/arch[/variant]} (or just {@code arch}, meaning linux/arch) and normalises it. */
  public static Platform parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("platform is empty (expected os/arch[/variant], e.g. linux/amd64)");
    }
    String[] p = spec.strip().toLowerCase(Locale.ROOT).split("/", -1);
    for (String part : p) {
      if (!part.matches("[a-z0-9][a-z0-9._-]*")) {
        throw new IllegalArgumentException(
            "invalid platform '" + spec + "' (expected os/arch[/variant], e.g. linux/amd64)");
      }
    }
    return switch (p.length) {
      case 1 -> normalise("linux", p[0], null);
      case 2 -> normalise(p[0], p[1], null);
      case 3 -> normalise(p[0], p[1], p[2]);
      default -> throw new IllegalArgumentException(
          "invalid platform '" + spec + "' (expected os/arch[/variant], e.g. linux/amd64)");
    };
  }

  /** The platform of this machine. */
  public static Platform host() {
    return normalise("linux", System.getProperty("os.arch"), null);
  }

  public static Platform normalise(String os, String arch, String variant) {
    String a = arch.toLowerCase(Locale.ROOT);
    String v = variant == null || variant.isEmpty() ? null : variant.toLowerCase(Locale.ROOT);
    switch (a) {
      case "x86_64", "x86-64", "amd64" -> {
        a = "amd64";
        if ("v1".equals(v)) {
          v = null;
        }
      }
      case "i386", "i686", "386", "x86" -> a = "386";
      case "aarch64", "arm64" -> {
        a = "arm64";
        if (v == null || v.equals("8") || v.equals("v8")) {
          v = "v8";
        }
      }
      case "armhf", "armel", "arm" -> {
        if (a.equals("armhf")) {
          v = "v7";
        } else if (a.equals("armel")) {
          v = "v6";
        }
        a = "arm";
        if (v == null) {
          v = "v7";
        } else if (v.matches("[5-8]")) {
          v = "v" + v;
        }
      }
      default -> { }
    }
    return new Platform(os.toLowerCase(Locale.ROOT), a, v);
  }

  /** This platform with its architecture and variant normalised. */
  public Platform normalised() {
    return normalise(os == null ? "linux" : os, architecture == null ? "" : architecture, variant);
  }

  /** Whether an index entry with platform {@code candidate} satisfies this wanted platform. */
  public boolean matches(Platform candidate) {
    if (candidate == null || candidate.os() == null || candidate.architecture() == null) {
      return false;
    }
    Platform c = candidate.normalised();
    Platform w = normalised();
    if (!w.os().equals(c.os()) || !w.architecture().equals(c.architecture())) {
      return false;
    }
    return w.variant() == null || c.variant() == null || w.variant().equals(c.variant());
  }

  public boolean isUnknown() {
    return "unknown".equals(os) || "unknown".equals(architecture);
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
  }
}
