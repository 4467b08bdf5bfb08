package dev.dcont.cli;

import dev.dcont.store.Store;
import dev.dcont.store.StoreLayout;
import dev.dcont.store.content.Sha256;
import dev.dcont.store.model.ImageConfig;
import dev.dcont.store.model.Manifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the store on a side thread while picocli builds its model of the command line. Both are mostly
 * first-use work of the JVM (picocli's annotation proxies, SQLite's driver and its native library, the
 * database's schema checks), about 40 ms each on a 2-core machine: done side by side, a command reaches its
 * own work that much sooner.
 *
 * <p>The root is guessed from the arguments as the launcher does ({@code --root DIR}, else
 * {@code $DCONT_ROOT}, else the default). Only a store that already exists is opened, unless the command is
 * one that makes its store anyway (pull, run). {@link #take} hands the store over only for the root the parsed
 * options name; for any other guess the command opens its store itself. A failure to open is kept by the store
 * and thrown at the command's first database use, as if the command had opened it.
 *
 * <p>The store is handed over at once; its first database use waits for the side thread's opening. A second
 * side thread warms, from the start, what the command touches once it has its image (the JSON mapper's
 * manifest and config readers, the native-call bindings, the random source for container IDs): done after the
 * opening, that work came too late and the command waited for it. Failures there are ignored; the command
 * pays the same cost itself.
 */
final class EarlyStore implements Runnable {
  private static final Object LOCK = new Object();
  private static EarlyStore pending;

  private final Store store;

  private EarlyStore(Store store) {
    this.store = store;
  }

  /**
   * Starts opening the store the arguments point at, if it exists or {@code create} says the command makes it
   * anyway. {@code warm} (may be null) runs at the same time on a thread of its own.
   */
  static void begin(String[] args, boolean create, Runnable warm) {
    Path root = rootIn(args);
    if (!create && !Files.isRegularFile(new StoreLayout(root).database())) {
      return;
    }
    EarlyStore e = new EarlyStore(Store.openLater(root));
    synchronized (LOCK) {
      pending = e;
    }
    Thread t = new Thread(e, "dcont-early-store");
    t.setDaemon(true);
    t.start();
    if (warm != null) {
      Thread w = new Thread(new Quietly(warm), "dcont-warm");
      w.setDaemon(true);
      w.start();
    }
  }

  /** Runs a warming step; a failure is the command's to meet, so nothing is printed here. */
  private record Quietly(Runnable step) implements Runnable {
    @Override
    public void run() {
      try {
        step.run();
      } catch (RuntimeException | Error ignored) {
        // the command pays the same cost, or meets the same failure, itself
      }
    }
  }

  /**
   * The store opened early, if it was opened for {@code wantedRoot}; otherwise null (and the early one, if
   * any, is closed). Does not wait: the store's first database use waits for the opening. Each early store
   * is handed out once.
   */
  static Store take(Path wantedRoot) {
    EarlyStore e;
    synchronized (LOCK) {
      e = pending;
      pending = null;
    }
    if (e == null) {
      return null;
    }
    if (!e.store.layout().root().equals(new StoreLayout(wantedRoot).root())) {
      e.store.close();
      return null;
    }
    return e.store;
  }

  /** The guessed root: the first {@code --root DIR} or {@code --root=DIR}, else the default. */
  static Path rootIn(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--root") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--root=")) {
        return Path.of(args[i].substring("--root=".length()));
      }
      if (args[i].equals("--")) {
        break;
      }
    }
    return StoreLayout.defaultRoot();
  }

  @Override
  public void run() {
    try {
      store.finishOpening();
      store.containers();
    } catch (RuntimeException | Error ignored) {
      // the command meets the same failure (the store keeps it) or the same cost itself
    }
  }

  /** Warming for commands that read image configs: builds the mapper's readers for them. */
  static void warmImageConfig() {
    ImageConfig.parse(SAMPLE_CONFIG, "sample config");
  }

  /**
   * Warming for a pull: the manifest and config readers, the SHA-256 binding every blob goes through, and the
   * native calls that unpacking makes.
   */
  static void warmPull() {
    Manifest.parse(SAMPLE_MANIFEST, "sample manifest");
    warmImageConfig();
    Sha256 h = Sha256.create();
    h.update(SAMPLE_MANIFEST, 0, SAMPLE_MANIFEST.length);
    h.digest();
    dev.dcont.layers.ImageUnpacker.warm();
  }

  private static final byte[] SAMPLE_MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":"
      + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
      + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
      + "0000000000000000000000000000000000000000000000000000000000000000\",\"size\":2},\"layers\":"
      + "[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:"
      + "0000000000000000000000000000000000000000000000000000000000000000\",\"size\":2}],"
      + "\"annotations\":{\"a\":\"b\"}}").getBytes(StandardCharsets.UTF_8);

  private static final byte[] SAMPLE_CONFIG = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
      + "\"2024-01-01T00:00:00Z\",\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],\"Entrypoint\":null,"
      + "\"WorkingDir\":\"/\",\"User\":\"0\",\"Labels\":{\"a\":\"b\"},\"ExposedPorts\":{\"80/tcp\":{}},"
      + "\"Volumes\":{\"/v\":{}},\"StopSignal\":\"SIGTERM\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
      + "[\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"]},\"history\":"
      + "[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"x\",\"empty_layer\":true}]}")
      .getBytes(StandardCharsets.UTF_8);
}
