package dev.dcont.cli;

import dev.dcont.store.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A JSON document the tests read from dcont's output, navigated by key and index. {@link #get} is null where the
 * member is missing; {@link #path} is an empty document there.
 */
record JsonDoc(Object value) implements Iterable<JsonDoc> {
  static JsonDoc parse(String json) {
    return parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static JsonDoc parse(byte[] json) {
    return new JsonDoc(Json.readAny(json, "test output"));
  }

  JsonDoc get(String key) {
    return value instanceof Map<?, ?> m && m.containsKey(key) ? new JsonDoc(m.get(key)) : null;
  }

  JsonDoc get(int index) {
    return value instanceof List<?> l && index < l.size() ? new JsonDoc(l.get(index)) : null;
  }

  JsonDoc path(String key) {
    JsonDoc d = get(key);
    return d == null ? new JsonDoc(null) : d;
  }

  boolean has(String key) {
    return value instanceof Map<?, ?> m && m.containsKey(key);
  }

  int size() {
    return value instanceof List<?> l ? l.size() : value instanceof Map<?, ?> m ? m.size() : 0;
  }

  String asText() {
    return Json.text(value, value == null ? "null" : "");
  }

  long asLong() {
    return value instanceof Number n ? n.longValue() : Long.parseLong(asText());
  }

  int asInt() {
    return Math.toIntExact(asLong());
  }

  boolean asBoolean() {
    return Boolean.TRUE.equals(value) || "true".equals(value);
  }

  @Override
  public Iterator<JsonDoc> iterator() {
    List<?> l = value instanceof List<?> list ? list : List.of();
    return l.stream().map(JsonDoc::new).iterator();
  }

  @Override
  public String toString() {
    return new String(Json.write(value), StandardCharsets.UTF_8);
  }
}
