package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont logs [-f] CONTAINER}: the output of a detached container. */
@Command(name = "logs", description = "Show the output of a container started with -d.")
public final class LogsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--follow"}, description = "Follow the output until the container exits.")
  boolean follow;

  @Parameters(paramLabel = "CONTAINER")
  String container;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      ContainerRecord r = containers.get(container);
      Path log = containers.logFile(r);
      while (!Files.exists(log)) {
        if (!follow || !containers.status(current(store, r)).running()) {
          return 0;
        }
        Thread.sleep(50);
      }
      char[] buf = new char[1 << 14];
      // a FileInputStream keeps returning what is appended after it has reported the end
      try (Reader in = new InputStreamReader(Files.newInputStream(log), StandardCharsets.UTF_8)) {
        while (true) {
          int n;
          while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
          }
          out.flush();
          if (!follow) {
            return 0;
          }
          if (!containers.status(current(store, r)).running()) {
            while ((n = in.read(buf)) > 0) {
              out.write(buf, 0, n);
            }
            out.flush();
            return 0;
          }
          Thread.sleep(100);
        }
      }
    }
  }

  private ContainerRecord current(Store store, ContainerRecord r) {
    return store.containers().byId(r.id())
        .orElseThrow(() -> new Errors.UserError("container " + container + " was removed"));
  }
}
