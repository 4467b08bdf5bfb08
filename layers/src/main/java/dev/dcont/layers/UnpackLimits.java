package dev.dcont.layers;

import java.util.function.UnaryOperator;

/**
 * Bounds against decompression bombs: uncompressed bytes of one layer's tar stream and its number of entries,
 * and the same summed over the layers one unpack of an image writes ({@link UnpackBudget}). Defaults: 64 GiB
 * and 4 million entries per layer, 128 GiB and 8 million per image; {@code DCONT_MAX_LAYER_BYTES},
 * {@code DCONT_MAX_LAYER_ENTRIES}, {@code DCONT_MAX_IMAGE_BYTES} and {@code DCONT_MAX_IMAGE_ENTRIES} override
 * them.
 */
public record UnpackLimits(long maxBytes, long maxEntries, long maxImageBytes, long maxImageEntries) {
  /**
   * Per image, twice a layer's: the largest images in use (CUDA and machine-learning stacks) unpack to tens of
   * GiB, while an image of many layers each just under the per-layer limit could otherwise fill any disk.
   */
  public static final UnpackLimits DEFAULT = new UnpackLimits(64L << 30, 4_000_000, 128L << 30, 8_000_000);

  /** Per-layer limits, with the default image-wide ones. */
  public UnpackLimits(long maxBytes, long maxEntries) {
    this(maxBytes, maxEntries, DEFAULT.maxImageBytes, DEFAULT.maxImageEntries);
  }

  public static UnpackLimits fromEnvironment() {
    return from(System::getenv);
  }

  /** The limits from the variables {@code env} gives (null: not set). */
  static UnpackLimits from(UnaryOperator<String> env) {
    return new UnpackLimits(get(env, "DCONT_MAX_LAYER_BYTES", DEFAULT.maxBytes),
        get(env, "DCONT_MAX_LAYER_ENTRIES", DEFAULT.maxEntries),
        get(env, "DCONT_MAX_IMAGE_BYTES", DEFAULT.maxImageBytes),
        get(env, "DCONT_MAX_IMAGE_ENTRIES", DEFAULT.maxImageEntries));
  }

  private static long get(UnaryOperator<String> env, String name, long dflt) {
    String v = env.apply(name);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.strip());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new LayerException("environment " + name + "=" + v + ": not a positive number (give a count of bytes or "
        + "entries, or unset it for the default " + dflt + ")");
  }
}
