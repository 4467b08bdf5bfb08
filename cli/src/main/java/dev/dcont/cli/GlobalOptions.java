package dev.dcont.cli;

import dev.dcont.store.Store;
import dev.dcont.store.StoreLayout;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

/** Options every command takes: {@code --root}, {@code --debug}. */
public final class GlobalOptions {
  private static Path root;
  private static boolean debug;

  private GlobalOptions() { }

  /** Adds the options to the top-level command; its subcommands inherit them. */
  static void addTo(CommandSpec top) {
    top.addOption(OptionSpec.builder("--root").type(Path.class).paramLabel("DIR").scopeType(ScopeType.INHERIT)
        .setter(new RootSetter()).description("Store root (default: $DCONT_ROOT, else /var/lib/dcont).").build());
    top.addOption(OptionSpec.builder("--debug").type(boolean.class).scopeType(ScopeType.INHERIT)
        .setter(new DebugSetter()).description("Print stack traces and protocol details.").build());
  }

  private static final class RootSetter implements ISetter {
    @Override
    @SuppressWarnings("unchecked")
    public <T> T set(T value) {
      Path old = root;
      root = (Path) value;
      return (T) old;
    }
  }

  private static final class DebugSetter implements ISetter {
    @Override
    @SuppressWarnings("unchecked")
    public <T> T set(T value) {
      Boolean old = debug;
      setDebugFlag(Boolean.TRUE.equals(value));
      return (T) old;
    }
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
    return Store.open(root());
  }

  /** Resets state between in-process runs (tests). */
  public static void reset() {
    root = null;
    setDebugFlag(false);
  }
}
