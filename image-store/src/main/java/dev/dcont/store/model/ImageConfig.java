package dev.dcont.store.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The image configuration blob (OCI image config / Docker image JSON), the parts dcont uses. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageConfig(
    String created,
    String author,
    String architecture,
    String os,
    String variant,
    @JsonProperty("config") Config config,
    @JsonProperty("rootfs") RootFs rootfs,
    @JsonProperty("history") List<History> history) {

  public ImageConfig {
    history = history == null ? List.of() : List.copyOf(history);
  }

  public static ImageConfig parse(byte[] json, String what) {
    ImageConfig c = fromTree(Json.tree(json, what), what);
    if (c.rootfs() == null) {
      throw new IllegalArgumentException(what + ": image config has no rootfs");
    }
    return c;
  }

  // Read from Jackson's tree, not bound to the records: binding builds a deserializer for each record by
  // introspecting it, which at its first use (every start of dcont run) costs ~100 classes and ~18 ms of the
  // command (226.7 -> 208.1 ms, hyperfine). The shapes are checked as binding checked them: a field of the
  // wrong kind is an error naming it.
  private static ImageConfig fromTree(JsonNode n, String what) {
    if (!n.isObject()) {
      throw new IllegalArgumentException(what + ": invalid JSON (an image config is an object)");
    }
    JsonNode cfg = object(n, "config", what);
    Config config = cfg == null ? null : new Config(text(cfg, "User", what), objectMap(cfg, "ExposedPorts", what),
        strings(cfg, "Env", what), strings(cfg, "Entrypoint", what), strings(cfg, "Cmd", what),
        objectMap(cfg, "Volumes", what), text(cfg, "WorkingDir", what), stringMap(cfg, "Labels", what),
        text(cfg, "StopSignal", what));
    JsonNode rf = object(n, "rootfs", what);
    RootFs rootfs = null;
    if (rf != null) {
      List<Digest> digests = new ArrayList<>();
      List<String> ids = strings(rf, "diff_ids", what);
      for (String id : ids == null ? List.<String>of() : ids) {
        try {
          digests.add(Digest.parse(id));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(what + ": rootfs.diff_ids: " + e.getMessage(), e);
        }
      }
      rootfs = new RootFs(text(rf, "type", what), digests);
    }
    List<History> history = null;
    JsonNode hist = n.get("history");
    if (hist != null && !hist.isNull()) {
      if (!hist.isArray()) {
        throw wrongKind(what, "history", "a list");
      }
      history = new ArrayList<>();
      for (JsonNode h : hist) {
        if (!h.isObject()) {
          throw wrongKind(what, "history", "a list of objects");
        }
        JsonNode empty = h.get("empty_layer");
        if (empty != null && !empty.isNull() && !empty.isBoolean() && !empty.isTextual()) {
          throw wrongKind(what, "history.empty_layer", "true or false");
        }
        history.add(new History(text(h, "created", what), text(h, "created_by", what), text(h, "author", what),
            text(h, "comment", what), empty == null || empty.isNull() ? null : empty.asBoolean()));
      }
    }
    return new ImageConfig(text(n, "created", what), text(n, "author", what), text(n, "architecture", what),
        text(n, "os", what), text(n, "variant", what), config, rootfs, history);
  }

  private static IllegalArgumentException wrongKind(String what, String field, String kind) {
    return new IllegalArgumentException(what + ": invalid JSON (" + field + " is not " + kind + ")");
  }

  private static JsonNode object(JsonNode n, String field, String what) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw wrongKind(what, field, "an object");
    }
    return v;
  }

  /** A string field; numbers and booleans are taken as their text, as binding did. */
  private static String text(JsonNode n, String field, String what) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw wrongKind(what, field, "a string");
    }
    return v.asText();
  }

  private static List<String> strings(JsonNode n, String field, String what) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw wrongKind(what, field, "a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isNull() && !e.isValueNode()) {
        throw wrongKind(what, field, "a list of strings");
      }
      out.add(e.isNull() ? null : e.asText());
    }
    return out;
  }

  private static Map<String, String> stringMap(JsonNode n, String field, String what) {
    JsonNode v = object(n, field, what);
    if (v == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isNull() && !e.getValue().isValueNode()) {
        throw wrongKind(what, field, "a map of strings");
      }
      out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
    }
    return out;
  }

  private static Map<String, Object> objectMap(JsonNode n, String field, String what) {
    JsonNode v = object(n, field, what);
    if (v == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), plain(e.getValue()));
    }
    return out;
  }

  /** A JSON value as binding gives it for {@code Object}: maps, lists, strings, numbers, booleans, null. */
  private static Object plain(JsonNode v) {
    if (v.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), plain(e.getValue()));
      }
      return m;
    }
    if (v.isArray()) {
      List<Object> l = new ArrayList<>();
      for (JsonNode e : v) {
        l.add(plain(e));
      }
      return l;
    }
    if (v.isNull()) {
      return null;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isNumber()) {
      return v.numberValue();
    }
    return v.asText();
  }

  public List<Digest> diffIds() {
    return rootfs == null ? List.of() : rootfs.diffIds();
  }

  public Platform platform() {
    return Platform.normalise(os == null ? "linux" : os, architecture == null ? "unknown" : architecture, variant);
  }

  /** The container defaults of an image (Docker's {@code config} object). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Config(
      @JsonProperty("User") String user,
      @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
      @JsonProperty("Env") List<String> env,
      @JsonProperty("Entrypoint") List<String> entrypoint,
      @JsonProperty("Cmd") List<String> cmd,
      @JsonProperty("Volumes") Map<String, Object> volumes,
      @JsonProperty("WorkingDir") String workingDir,
      @JsonProperty("Labels") Map<String, String> labels,
      @JsonProperty("StopSignal") String stopSignal) { }

  /** The layer list by uncompressed digest. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RootFs(
      @JsonProperty("type") String type,
      @JsonProperty("diff_ids") List<Digest> diffIds) {
    public RootFs {
      diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    }
  }

  /** One history entry; {@code empty_layer} entries have no layer. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record History(
      @JsonProperty("created") String created,
      @JsonProperty("created_by") String createdBy,
      @JsonProperty("author") String author,
      @JsonProperty("comment") String comment,
      @JsonProperty("empty_layer") Boolean emptyLayer) {
    public boolean isEmptyLayer() {
      return Boolean.TRUE.equals(emptyLayer);
    }
  }
}
