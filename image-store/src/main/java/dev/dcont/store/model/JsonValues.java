package dev.dcont.store.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain Java values (maps, lists, strings, numbers, booleans, null), read and written with Jackson's
 * streaming parser and generator alone. For what every {@code dcont run} reads and writes (the image config, a
 * container's command): the first use of an {@link com.fasterxml.jackson.databind.ObjectMapper} in a process,
 * and of data binding, loads ~560 classes; this loads a few dozen of jackson-core's.
 */
public final class JsonValues {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonValues() { }

  /**
   * The value {@code json} holds: a {@code Map<String, Object>} (in the document's order; a repeated key keeps
   * its last value), a {@code List<Object>}, a String, a Number (Integer, Long or BigInteger; Double), a
   * Boolean or null. {@code what} names the document in the error.
   */
  public static Object parse(byte[] json, String what) {
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new IllegalArgumentException(what + ": invalid JSON (no content)");
      }
      return value(p, t);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + ": invalid JSON (" + e.getOriginalMessage() + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT: {
        Map<String, Object> m = new LinkedHashMap<>();
        String key;
        while ((key = p.nextFieldName()) != null) {
          m.put(key, value(p, p.nextToken()));
        }
        return m;
      }
      case START_ARRAY: {
        List<Object> l = new ArrayList<>();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
          l.add(value(p, e));
        }
        return l;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return p.getNumberValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + t);
    }
  }

  /** A list of strings as a JSON array. */
  public static String writeStrings(List<String> items) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
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

  /** A JSON array of strings (numbers and booleans are taken as their text); {@code what} names it. */
  public static List<String> readStrings(byte[] json, String what) {
    List<String> out = strings(parse(json, what));
    if (out == null) {
      throw new IllegalArgumentException(what + ": invalid JSON (not a list of strings)");
    }
    return out;
  }

  /** {@code v} as a list of strings, or null if it is not a list of strings, numbers, booleans or nulls. */
  static List<String> strings(Object v) {
    if (!(v instanceof List<?> l)) {
      return null;
    }
    List<String> out = new ArrayList<>(l.size());
    for (Object e : l) {
      if (e != null && !isScalar(e)) {
        return null;
      }
      out.add(e == null ? null : e.toString());
    }
    return out;
  }

  /** A string, number or boolean. */
  static boolean isScalar(Object v) {
    return v instanceof String || v instanceof Number || v instanceof Boolean;
  }
}
