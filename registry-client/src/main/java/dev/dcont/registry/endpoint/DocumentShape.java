package dev.dcont.registry.endpoint;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import java.util.List;
import java.util.Map;

/**
 * The shape a manifest or index must have, checked on the document as sent and refused in its own terms (which
 * member, what was expected) before it is bound to the model: an image manifest has a {@code config} descriptor
 * and a list of {@code layers} and no {@code manifests}; an index has {@code manifests} and neither {@code config}
 * nor {@code layers} (a document with both could be read as either by two readers, the ambiguity of
 * CVE-2021-41190); every descriptor is an object with a {@code digest}, a {@code size} in bytes and, when
 * present, a {@code mediaType} string.
 */
final class DocumentShape {
  private DocumentShape() { }

  static void check(String what, MediaType type, Map<?, ?> body) {
    if (type.isIndex()) {
      for (String member : List.of("config", "layers")) {
        if (body.containsKey(member)) {
          throw refused(what, "is an index but also has \"" + member + "\", a member of an image manifest;"
              + " refusing a document that could be read as either");
        }
      }
      descriptors(what, body, "manifests");
      return;
    }
    if (body.containsKey("manifests")) {
      throw refused(what, "is an image manifest but also has \"manifests\", a member of an index;"
          + " refusing a document that could be read as either");
    }
    if (!body.containsKey("config")) {
      throw refused(what, "has no \"config\" (an image manifest names its config blob there)");
    }
    descriptor(what, "config", body.get("config"));
    descriptors(what, body, "layers");
  }

  private static void descriptors(String what, Map<?, ?> body, String member) {
    Object list = body.get(member);
    if (list == null) {
      if (member.equals("manifests")) {
        throw refused(what, "has no \"manifests\" (an index lists its image manifests there)");
      }
      return;
    }
    if (!(list instanceof List<?> entries)) {
      throw refused(what, member + " is " + shown(list) + ", expected an array of descriptors");
    }
    for (int i = 0; i < entries.size(); i++) {
      descriptor(what, member + "[" + i + "]", entries.get(i));
    }
  }

  private static void descriptor(String what, String name, Object value) {
    if (!(value instanceof Map<?, ?> d)) {
      throw refused(what, name + " is " + shown(value) + ", expected an object with mediaType, digest and size");
    }
    Object digest = d.get("digest");
    if (digest == null) {
      throw refused(what, name + " has no digest");
    }
    if (!(digest instanceof String text)) {
      throw refused(what, name + ".digest is " + shown(digest) + ", expected a string such as \"sha256:<64 hex digits>\"");
    }
    try {
      Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw refused(what, name + ".digest: " + e.getMessage());
    }
    Object size = d.get("size");
    if (size == null) {
      throw refused(what, name + " has no size");
    }
    if (!(size instanceof Integer || size instanceof Long) || ((Number) size).longValue() < 0) {
      throw refused(what, name + ".size is " + shown(size) + ", expected the blob's length in bytes (an integer"
          + " of at least 0)");
    }
    Object type = d.get("mediaType");
    if (d.containsKey("mediaType") && !(type instanceof String t && !t.isBlank())) {
      throw refused(what, name + ".mediaType is " + shown(type) + ", expected a media type such as \""
          + MediaType.OCI_LAYER_GZIP + "\"");
    }
  }

  /** A JSON value as a user reads it in the document. */
  private static String shown(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      String clean = s.replaceAll("\\p{Cntrl}", "?");
      return "the string \"" + (clean.length() > 80 ? clean.substring(0, 80) + "…" : clean) + "\"";
    }
    if (v instanceof Number || v instanceof Boolean) {
      String t = v.toString();
      return t.length() > 40 ? t.substring(0, 40) + "…" : t;
    }
    return v instanceof Map ? "an object" : v instanceof List ? "an array" : "an unexpected value";
  }

  private static RegistryException refused(String what, String problem) {
    return new RegistryException(Kind.BAD_MANIFEST, what + ": " + problem);
  }
}
