package dev.dcont.cli;

import picocli.CommandLine.Option;

/** {@code --format table|json}, shared by the listing commands (a mixin); other values are usage errors. */
public final class FormatOption {
  /** The output forms. */
  public enum Kind { table, json }

  @Option(names = "--format", paramLabel = "FORMAT", description = "Output: ${COMPLETION-CANDIDATES} (default: table).")
  Kind format = Kind.table;

  public boolean json() {
    return format == Kind.json;
  }
}
