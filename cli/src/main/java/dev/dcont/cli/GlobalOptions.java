package dev.dcont.cli;

import dev.dcont.store.Store;
import dev.dcont.store.StoreLayout;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes: {@code --root}, {@code --debug}. */
public final class GlobalOptions {
  private static Path root;
  private static boolean debug;

  @Option(names = "--root", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Store root (default: $DCONT_ROOT, else /var/lib/dcont).")
  void setRoot(Path r) {
    root = r;
  }

  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces and protocol details.")
  void setDebug(boolean d) {
    setDebugFlag(d);
  }

  /** Sets both as a reader other than picocli found them ({@code root} null: the default). */
  public static void set(Path r, boolean d) {
    root = r;
    setDebugFlag(d);
  }

  /** Also as the property {@code dcont.debug}, which the modules below read for their one-line notes. */
  private static void setDebugFlag(boolean d) {
    debug = d;
    if (d) {
      System.setProperty("dcont.debug", "true");
    } else {
      System.clearProperty("dcont.debug");
    }
  }

  public static Path root() {
    return root != null ? root : StoreLayout.defaultRoot();
  }

  public static boolean debug() {
    return debug;
  }

  public static Store openStore() {
    Store early = EarlyStore.take(root());
    return early != null ? early : Store.open(root());
  }

  /** Resets state between in-process runs (tests). */
  public static void reset() {
    root = null;
    setDebugFlag(false);
  }
}
