package dev.dcont.layers.tar;

import java.io.IOException;

/**
 * A header the reader refuses: a value no tar writer produces (a negative size, a number that does not fit)
 * or an extended header over a limit. {@link #entry} names the entry where it is known.
 */
public final class TarHeaderException extends IOException {
  private final String entry;
  private final String problem;

  public TarHeaderException(String entry, String problem) {
    super((entry == null ? "" : "entry " + entry + ": ") + problem);
    this.entry = entry;
    this.problem = problem;
  }

  /** The entry's name (or the extended header's own), or null when none is known. */
  public String entry() {
    return entry;
  }

  /** What is wrong, phrased to follow the entry's name. */
  public String problem() {
    return problem;
  }
}
