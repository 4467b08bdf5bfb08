package dev.dcont.registry.http;

import dev.dcont.store.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** Reads the registry's error body ({@code {"errors":[{"code","message","detail"}]}}) into one line. */
public final class ErrorBodies {
  private static final int MAX = 64 * 1024;

  /** One registry error. */
  public record RegistryError(String code, String message) { }

  private ErrorBodies() { }

  /** Reads at most 64 KiB of the body; never throws. */
  public static List<RegistryError> read(Response r) {
    ResponseBody body = r.body();
    if (body == null) {
      return List.of();
    }
    try (InputStream in = body.byteStream()) {
      return parse(in.readNBytes(MAX));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  public static List<RegistryError> parse(byte[] bytes) {
    List<RegistryError> out = new ArrayList<>();
    if (bytes.length == 0) {
      return out;
    }
    Object n;
    try {
      n = Json.readAny(bytes, "error body");
    } catch (IllegalArgumentException e) {
      String text = new String(bytes, StandardCharsets.UTF_8).strip();
      if (!text.isEmpty() && !text.startsWith("<") && text.length() < 200) {
        out.add(new RegistryError("", oneLine(text)));
      }
      return out;
    }
    if (!(n instanceof Map<?, ?> body)) {
      return out;
    }
    if (body.get("errors") instanceof List<?> errors) {
      for (Object o : errors) {
        Map<?, ?> e = o instanceof Map<?, ?> m ? m : Map.of();
        String msg = Json.text(e.get("message"), "");
        if (msg.isEmpty()) {
          msg = Json.text(e.get("code"), "").toLowerCase().replace('_', ' ');
        }
        out.add(new RegistryError(Json.text(e.get("code"), ""), oneLine(msg)));
      }
    }
    if (out.isEmpty()) {
      for (String f : List.of("details", "detail", "message", "error_description", "error")) {
        if (body.get(f) instanceof String t && !t.isBlank()) {
          out.add(new RegistryError("", oneLine(t)));
          break;
        }
      }
    }
    return out;
  }

  public static String join(List<RegistryError> errors) {
    return String.join("; ", errors.stream().map(RegistryError::message).distinct().toList());
  }

  private static String oneLine(String s) {
    String t = s.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
    return t.length() > 300 ? t.substring(0, 300) + "…" : t;
  }
}
