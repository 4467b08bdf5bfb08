package dev.dcont.store.model;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** An OCI image index or Docker manifest list. */
public record ImageIndex(
    int schemaVersion,
    MediaType mediaType,
    List<Descriptor> manifests,
    Map<String, String> annotations) {

  public ImageIndex {
    manifests = manifests == null ? List.of() : Json.copyOf(manifests, "manifests");
    annotations = annotations == null ? Map.of() : Json.copyOf(annotations, "annotations");
  }

  public static ImageIndex parse(byte[] json, String what) {
    ImageIndex i = Json.read(json, ImageIndex.class, what);
    if (i.schemaVersion() != 2) {
      throw new IllegalArgumentException(what + ": schemaVersion " + i.schemaVersion() + " is not supported (expected 2)");
    }
    return i;
  }

  /** Whether a descriptor is an attestation or other non-image entry (BuildKit marks them unknown/unknown). */
  public static boolean isAttestation(Descriptor d) {
    return d.annotation("vnd.docker.reference.type") != null
        || (d.platform() != null && d.platform().isUnknown());
  }

  /** Picks the entry for {@code wanted}; throws with the list of available platforms when none matches. */
  public Descriptor select(Platform wanted, String what) {
    Descriptor best = null;
    for (Descriptor d : manifests) {
      if (isAttestation(d) || d.mediaType() == null || !d.mediaType().isManifest()) {
        continue;
      }
      if (wanted.matches(d.platform())) {
        // prefer an exact variant match over an entry without variant
        if (best == null || (wanted.normalised().variant() != null
            && wanted.normalised().variant().equals(d.platform().normalised().variant()))) {
          best = d;
        }
      }
    }
    if (best == null) {
      String available = manifests.stream()
          .filter(d -> !isAttestation(d) && d.platform() != null)
          .map(d -> d.platform().normalised().toString())
          .distinct()
          .collect(Collectors.joining(", "));
      throw new NoMatchingPlatformException(what + ": no image for platform " + wanted
          + (available.isEmpty() ? " (the index lists no platforms)" : " (available: " + available + "; use --platform)"));
    }
    return best;
  }

  /** No entry of an index fits the wanted platform. */
  public static final class NoMatchingPlatformException extends IllegalArgumentException {
    public NoMatchingPlatformException(String message) {
      super(message);
    }
  }
}
