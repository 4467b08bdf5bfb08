package dev.dcont.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dcont.store.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      String text = new String(bytes, StandardCharsets.UTF_8).strip();
      if (!text.isEmpty() && !text.startsWith("<") && text.length() < 200) {
        out.add(new RegistryError("", oneLine(text)));
      }
      return out;
    }
    if (n == null) {
      return out;
    }
    for (JsonNode e : n.path("errors")) {
      String msg = e.path("message").asText("");
      if (msg.isEmpty()) {
        msg = e.path("code").asText("").toLowerCase().replace('_', ' ');
      }
      out.add(new RegistryError(e.path("code").asText(""), oneLine(msg)));
    }
    if (out.isEmpty()) {
      for (String f : List.of("details", "detail", "message", "error_description", "error")) {
        if (n.path(f).isTextual() && !n.path(f).asText().isBlank()) {
          out.add(new RegistryError("", oneLine(n.path(f).asText())));
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
