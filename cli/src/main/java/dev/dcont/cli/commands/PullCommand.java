package dev.dcont.cli.commands;

import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.PullProgress;
import dev.dcont.registry.ImagePuller;
import dev.dcont.registry.LayerTap;
import dev.dcont.registry.PullListener;
import dev.dcont.registry.PullResult;
import dev.dcont.registry.RegistryOptions;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLocks;
import dev.dcont.layers.ImageUnpacker;
import dev.dcont.layers.LayerRefusedException;
import dev.dcont.layers.Snapshot;
import dev.dcont.layers.StreamingUnpacker;
import dev.dcont.layers.UnpackBudget;
import dev.dcont.layers.UnpackLimits;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont pull REF}: download an image into the store. */
@Command(name = "pull", description = "Download an image from a registry into the store.")
public final class PullCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
      description = "Platform to pull from a multi-platform image (default: this host's).")
  String platform;

  @Option(names = {"-q", "--quiet"}, description = "Print only the image reference.")
  boolean quiet;

  @Option(names = "--no-unpack", description = "Only download into the store; layers are unpacked on first run.")
  boolean noUnpack;

  @Option(names = "--max-concurrent-downloads", paramLabel = "N", defaultValue = "3",
      description = "Layers downloaded at once (default: ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Parameters(paramLabel = "IMAGE", description = "Image reference, e.g. ubuntu, user/app:1, host:5000/x@sha256:…")
  String image;

  @Override
  public Integer call() {
    Reference ref = parse(image);
    Platform p = platform == null ? null : parsePlatform(platform);
    if (maxConcurrent < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--max-concurrent-downloads must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      pull(store, ref, p, quiet, maxConcurrent, !noUnpack, out);
      if (quiet) {
        out.println(ref);
      }
      out.flush();
      return 0;
    }
  }

  /**
   * Pulls with Docker-style progress and, unless {@code unpack} is false, unpacks the layers so
   * that the image is ready to run ("Pull complete" then means unpacked, as in Docker). Shared by
   * {@code run}.
   */
  public static PullResult pull(Store store, Reference ref, Platform platform, boolean quiet, int maxConcurrent,
      boolean unpack, PrintWriter out) {
    PullProgress progress = new PullProgress(out, PullProgress.isTerminal(), quiet);
    RegistryOptions options = RegistryOptions.builder().maxConcurrentDownloads(maxConcurrent).build();
    List<String> summary = new ArrayList<>();
    PullResult result;
    // Layers fetched from their first byte are unpacked while they download (StreamingUnpacker); the others
    // (already in the store, resumed from an earlier process's partial file, or whose streamed unpack failed)
    // are unpacked from their blobs by ensureUnpacked below.
    Set<Digest> streamed = ConcurrentHashMap.newKeySet();
    Set<Digest> downloadDone = ConcurrentHashMap.newKeySet();
    // the image-wide unpack limits count the streamed layers and the others together
    UnpackBudget budget = null;
    try (StoreLocks.Held lock = StoreLocks.shared(store.layout());
        StreamingUnpacker streaming = unpack && !"0".equals(System.getenv("DCONT_STREAM_UNPACK"))
            ? new StreamingUnpacker(store, new StreamingUnpacker.Listener() {
          @Override
          public void unpacked(ImageRecord.Layer layer, Snapshot snapshot) {
            streamed.add(layer.digest());
            if (downloadDone.contains(layer.digest())) {
              progress.update(layer.digest().shortHex(), "Pull complete", 0, 0);
            }
          }
        }) : null) {
      budget = streaming == null ? null : streaming.budget();
      LayerTap tap = streaming == null ? LayerTap.NONE : (layer, parent) -> sink(streaming.start(layer, parent));
      result = new ImagePuller(store, options).pull(ref, platform, new PullListener() {
        @Override
        public void onLayer(LayerEvent e) {
          if (unpack && e.status() == Status.PULL_COMPLETE) {
            // said once the layer is unpacked
            downloadDone.add(e.digest());
            if (streamed.contains(e.digest())) {
              progress.update(e.shortId(), "Pull complete", 0, 0);
            }
            return;
          }
          progress.update(e.shortId(), e.status().text(), e.current(), e.total());
        }

        @Override
        public void onStatus(String line) {
          if (line.startsWith("Digest:") || line.startsWith("Status:")) {
            summary.add(line);
          } else {
            progress.message(line);
          }
        }
      }, tap);
      if (streaming != null) {
        streaming.awaitAll();
      }
    }
    if (unpack) {
      try {
        unpack(store, result.image(), progress, budget);
      } catch (LayerRefusedException e) {
        // the image cannot be unpacked as it is: it goes again, so that no image that cannot run stays listed
        // (a broken download or a full disk keep it, to be resumed)
        ImageRemoval.removeRefused(store, result.image(), result.replaced(), e);
        throw e;
      }
    }
    summary.forEach(progress::message);
    if (!quiet) {
      out.println(ref);
    }
    out.flush();
    return result;
  }

  private static void unpack(Store store, ImageRecord image, PullProgress progress, UnpackBudget budget) {
    Set<Digest> fresh = new HashSet<>();
    ImageUnpacker.ensureUnpacked(store, image, new ImageUnpacker.Listener() {
      @Override
      public void unpacking(ImageRecord.Layer layer) {
        fresh.add(layer.digest());
        progress.update(layer.digest().shortHex(), "Extracting", 0, 0);
      }

      @Override
      public void unpacked(ImageRecord.Layer layer, Snapshot snapshot, boolean existed) {
        if (fresh.contains(layer.digest())) {
          progress.update(layer.digest().shortHex(), "Pull complete", 0, 0);
        }
      }
    }, budget != null ? budget : new UnpackBudget(UnpackLimits.fromEnvironment()));
  }

  private static LayerTap.Sink sink(StreamingUnpacker.Feed feed) {
    if (feed == null) {
      return null;
    }
    return new LayerTap.Sink() {
      @Override
      public void write(byte[] b, int off, int len) throws java.io.IOException {
        feed.write(b, off, len);
      }

      @Override
      public void verified() {
        feed.verified();
      }

      @Override
      public void abort(Throwable cause) {
        feed.abort(cause);
      }
    };
  }

  static Reference parse(String image) {
    try {
      return Reference.parse(image);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (expected [host[:port]/]name[:tag][@sha256:digest])");
    }
  }

  static Platform parsePlatform(String p) {
    return Platform.parse(p);
  }
}
