package dev.dcont.store.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one configured Jackson mapper of dcont. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

  private Json() { }

  public static <T> T read(byte[] json, Class<T> type, String what) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + ": invalid JSON (" + e.getOriginalMessage() + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses JSON into Jackson's tree; {@code what} names it in the error. */
  public static com.fasterxml.jackson.databind.JsonNode tree(byte[] json, String what) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + ": invalid JSON (" + e.getOriginalMessage() + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A list of strings as a JSON array, written with Jackson's generator: binding even a list looks its class
   * over (bean introspection, ~200 classes at the first use of a start; a container's command is written at
   * every dcont run).
   */
  public static String writeStrings(java.util.List<String> items) {
    java.io.StringWriter w = new java.io.StringWriter();
    try (com.fasterxml.jackson.core.JsonGenerator g = MAPPER.getFactory().createGenerator(w)) {
      g.writeStartArray();
      for (String s : items) {
        g.writeString(s);
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** A JSON array of strings (see {@link #writeStrings}); {@code what} names it in the error. */
  public static java.util.List<String> readStrings(byte[] json, String what) {
    com.fasterxml.jackson.databind.JsonNode n = tree(json, what);
    if (!n.isArray()) {
      throw new IllegalArgumentException(what + ": invalid JSON (not a list of strings)");
    }
    java.util.List<String> out = new java.util.ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode e : n) {
      if (!e.isNull() && !e.isValueNode()) {
        throw new IllegalArgumentException(what + ": invalid JSON (not a list of strings)");
      }
      out.add(e.isNull() ? null : e.asText());
    }
    return out;
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
