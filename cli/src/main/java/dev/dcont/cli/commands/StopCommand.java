package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.runtime.Signals;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import dev.dcont.store.model.ImageConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont stop [-t N] CONTAINER…}: the image's StopSignal (SIGTERM), then SIGKILL after N seconds. */
@Command(name = "stop", description = "Stop running containers: StopSignal, then SIGKILL after a grace period.")
public final class StopCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-t", "--time"}, defaultValue = "10", description = "Seconds to wait before killing (default 10).")
  int seconds;

  @Option(names = {"-s", "--signal"}, description = "Signal to send first (default: the image's StopSignal, else TERM).")
  String signal;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    return ForEachContainer.run(spec, names,
        (store, containers, c) -> containers.stop(c, stopSignal(store, c, signal), Math.max(0, seconds)));
  }

  /** {@code signal} if given, else the container's image's StopSignal, else SIGTERM. */
  static int stopSignal(Store store, ContainerRecord r, String signal) throws java.io.IOException {
    String s = signal;
    if (s == null) {
      var img = store.images().find(r.imageManifest());
      if (img.isPresent()) {
        ImageConfig cfg = ImageConfig.parse(store.content().readAll(img.get().configDigest()), "config");
        if (cfg.config() != null && cfg.config().stopSignal() != null) {
          s = cfg.config().stopSignal();
        }
      }
    }
    try {
      return Signals.parse(s == null ? "TERM" : s);
    } catch (IllegalArgumentException e) {
      throw new Errors.UserError("invalid stop signal '" + s + "'");
    }
  }
}
