package dev.dcont.cli;

import dev.dcont.store.Store;
import dev.dcont.store.StoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

/** Options every command takes: {@code --root}, {@code --debug}. */
public final class GlobalOptions {
  private static Path root;
  private static boolean debug;
  private static CompletableFuture<Store> early;
  private static Path earlyRoot;

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

  /**
   * The store of {@link #root()}: the one {@link #openEarly} opened when it is of the same root, else opened now.
   * A failure to open is thrown here either way, as the command's own.
   */
  public static Store openStore() {
    Path dir = root();
    CompletableFuture<Store> early = claim();
    if (early != null) {
      if (earlyRoot.equals(dir)) {
        return await(early);
      }
      early.thenAccept(Store::close);
    }
    return Store.open(dir);
  }

  /**
   * Starts opening the store of {@code dir} on a thread of its own while the command line is built and parsed:
   * loading the database's driver and its native library needs nothing from them. Only a store that exists:
   * a mistyped command must not make one.
   */
  static void openEarly(Path dir) {
    if (!Files.isRegularFile(new StoreLayout(dir).database())) {
      return;
    }
    earlyRoot = dir;
    early = CompletableFuture.supplyAsync(() -> Store.open(dir), task -> {
      Thread t = new Thread(task, "dcont-store-open");
      t.setDaemon(true);
      t.start();
    });
  }

  /** Closes an early store that the command did not take (it failed first, or needs none). */
  static void closeUnclaimed() {
    CompletableFuture<Store> unclaimed = claim();
    if (unclaimed != null) {
      try {
        await(unclaimed).close();
      } catch (RuntimeException ignored) {
        // the command did not need the store, so its failure to open is not the command's
      }
    }
  }

  private static synchronized CompletableFuture<Store> claim() {
    CompletableFuture<Store> f = early;
    early = null;
    return f;
  }

  private static Store await(CompletableFuture<Store> opening) {
    try {
      return opening.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error r) {
        throw r;
      }
      throw e;
    }
  }

  /** Resets state between in-process runs (tests). */
  public static void reset() {
    closeUnclaimed();
    root = null;
    setDebugFlag(false);
  }
}
