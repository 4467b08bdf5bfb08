package dev.dcont.layers;

/**
 * Bounds against decompression bombs: uncompressed bytes of one layer's tar stream and its number of
 * entries. Defaults: 64 GiB and 4 million entries; {@code DCONT_MAX_LAYER_BYTES} and
 * {@code DCONT_MAX_LAYER_ENTRIES} override them.
 */
public record UnpackLimits(long maxBytes, long maxEntries) {
  public static final UnpackLimits DEFAULT = new UnpackLimits(64L << 30, 4_000_000);

  public static UnpackLimits fromEnvironment() {
    return new UnpackLimits(env("DCONT_MAX_LAYER_BYTES", DEFAULT.maxBytes), env("DCONT_MAX_LAYER_ENTRIES",
        DEFAULT.maxEntries));
  }

  private static long env(String name, long dflt) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new LayerException("environment " + name + "=" + v + ": not a number (give a count of bytes or entries)");
    }
  }
}
