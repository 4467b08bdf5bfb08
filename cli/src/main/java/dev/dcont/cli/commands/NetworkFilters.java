package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.net.NetworkDef;
import dev.dcont.cli.net.Networks;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code --filter KEY=VALUE} of {@code network ls} and {@code network prune}, and {@code --label} of
 * {@code network create}, as Docker reads them: values of one key match if any matches, keys must all match;
 * {@code name} and {@code id} are patterns found anywhere in the name or ID (a plain prefix is one),
 * {@code label=K} or {@code label=K=V} (and {@code label!=…}, prune's), {@code driver}, {@code scope},
 * {@code type=custom|builtin}, {@code dangling=true|false} (no container on it) and {@code until} (created before
 * a time: Unix seconds, an RFC 3339 or {@code YYYY-MM-DD[THH:MM:SS]} local time, or a duration back from now,
 * {@code 24h}, {@code 1h30m}).
 */
final class NetworkFilters {
  private static final Pattern DURATION = Pattern.compile("((?:\\d+(?:\\.\\d+)?)(?:ns|us|µs|ms|s|m|h))+");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private final Map<String, List<String>> values;
  private final Instant until;

  private NetworkFilters(Map<String, List<String>> values, Instant until) {
    this.values = values;
    this.until = until;
  }

  /** {@code specs} as given; a key not in {@code allowed} is refused in Docker's words. */
  static NetworkFilters parse(List<String> specs, Set<String> allowed) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (String spec : specs == null ? List.<String>of() : specs) {
      int eq = spec.indexOf('=');
      if (eq <= 0) {
        throw new Errors.UserError("bad format of filter '" + spec + "' (expected name=value)", Errors.USAGE);
      }
      String key = spec.substring(0, eq).toLowerCase(Locale.ROOT);
      String value = spec.substring(eq + 1);
      if (key.equals("label!") && allowed.contains("label")) {
        key = "label!";
      } else if (!allowed.contains(key)) {
        throw new Errors.UserError("invalid filter '" + spec.substring(0, eq) + "' (filters: "
            + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
      }
      values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    Instant until = null;
    for (String u : values.getOrDefault("until", List.of())) {
      Instant t = time(u);
      until = until == null || t.isBefore(until) ? t : until;
    }
    for (String d : values.getOrDefault("dangling", List.of())) {
      if (!d.equalsIgnoreCase("true") && !d.equalsIgnoreCase("false") && !d.equals("1") && !d.equals("0")) {
        throw new Errors.UserError("invalid filter 'dangling=" + d + "' (true or false)");
      }
    }
    for (String t : values.getOrDefault("type", List.of())) {
      if (!t.equals("custom") && !t.equals("builtin")) {
        throw new Errors.UserError("invalid filter 'type=" + t + "' (custom or builtin)");
      }
    }
    return new NetworkFilters(values, until);
  }

  /** Whether network {@code d} with {@code labels}, used by a container or not ({@code inUse}), passes. */
  boolean matches(NetworkDef d, Map<String, String> labels, boolean inUse) {
    boolean builtin = d.name().equals(Networks.DEFAULT);
    return any("name", v -> found(v, d.name()))
        && any("id", v -> found(v, d.id()))
        && any("driver", v -> v.equals("bridge"))
        && any("scope", v -> v.equals("local"))
        && any("type", v -> v.equals(builtin ? "builtin" : "custom"))
        && any("dangling", v -> (v.equalsIgnoreCase("true") || v.equals("1")) == (!builtin && !inUse))
        && all("label", v -> hasLabel(labels, v))
        && all("label!", v -> !hasLabel(labels, v))
        && (until == null || createdBefore(d, until));
  }

  private boolean any(String key, java.util.function.Predicate<String> p) {
    List<String> l = values.get(key);
    return l == null || l.stream().anyMatch(p);
  }

  private boolean all(String key, java.util.function.Predicate<String> p) {
    List<String> l = values.get(key);
    return l == null || l.stream().allMatch(p);
  }

  /** As Docker's filters match names and IDs: a regular expression found anywhere, or else the text itself. */
  private static boolean found(String pattern, String text) {
    try {
      return Pattern.compile(pattern).matcher(text).find();
    } catch (PatternSyntaxException e) {
      return text.contains(pattern);
    }
  }

  private static boolean hasLabel(Map<String, String> labels, String spec) {
    int eq = spec.indexOf('=');
    if (eq < 0) {
      return labels.containsKey(spec);
    }
    return spec.substring(eq + 1).equals(labels.get(spec.substring(0, eq)));
  }

  private static boolean createdBefore(NetworkDef d, Instant until) {
    try {
      return Instant.parse(d.created()).isBefore(until);
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** {@code until}'s value as Docker reads it. */
  static Instant time(String value) {
    String v = value.strip();
    if (v.matches("\\d+(\\.\\d+)?")) {
      double secs = Double.parseDouble(v);
      return Instant.ofEpochSecond((long) secs, (long) ((secs - Math.floor(secs)) * 1e9));
    }
    if (DURATION.matcher(v).matches()) {
      Matcher m = DURATION_PART.matcher(v);
      double nanos = 0;
      while (m.find()) {
        double n = Double.parseDouble(m.group(1));
        nanos += n * switch (m.group(2)) {
          case "h" -> 3600e9;
          case "m" -> 60e9;
          case "s" -> 1e9;
          case "ms" -> 1e6;
          case "us", "µs" -> 1e3;
          default -> 1;
        };
      }
      return Instant.now().minus(Duration.ofNanos((long) nanos));
    }
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException notOffset) {
      try {
        return LocalDateTime.parse(v).atZone(ZoneId.systemDefault()).toInstant();
      } catch (DateTimeParseException notLocal) {
        try {
          return LocalDate.parse(v).atStartOfDay(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException notDate) {
          throw new Errors.UserError("invalid filter 'until=" + value + "' (a Unix time, an RFC 3339 time,"
              + " YYYY-MM-DD, or a duration such as 24h)");
        }
      }
    }
  }

  /** {@code --label KEY[=VALUE]} of {@code network create}, in order of key. */
  static Map<String, String> labels(List<String> specs) {
    Map<String, String> out = new TreeMap<>();
    for (String s : specs == null ? List.<String>of() : specs) {
      int eq = s.indexOf('=');
      String key = eq < 0 ? s : s.substring(0, eq);
      if (key.isEmpty()) {
        throw new Errors.UserError("invalid label '" + s + "': empty name (the form is KEY[=VALUE])", Errors.USAGE);
      }
      out.put(key, eq < 0 ? "" : s.substring(eq + 1));
    }
    return out;
  }
}
