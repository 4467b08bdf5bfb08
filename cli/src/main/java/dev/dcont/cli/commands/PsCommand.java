package dev.dcont.cli.commands;

import dev.dcont.cli.Format;
import dev.dcont.cli.FormatOption;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.net.NetworkView;
import dev.dcont.cli.run.Containers;
import dev.dcont.cli.run.NetworkMode;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import dev.dcont.store.model.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont ps}: containers, as {@code docker ps}. */
@Command(name = "ps", description = "List containers (running ones; -a for all).")
public final class PsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-a", "--all"}, description = "Show all containers, not only running ones.")
  boolean all;

  @Option(names = {"-q", "--quiet"}, description = "Only show container IDs.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Don't truncate output.")
  boolean noTrunc;

  @Mixin
  FormatOption format;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      containers.sweepNetworks();
      List<Containers.Status> rows = new ArrayList<>();
      for (ContainerRecord r : store.containers().list()) {
        Containers.Status s = containers.status(r);
        if (ContainerCleanup.reapIfAutoRemove(containers, s)) {
          continue;
        }
        if (all || s.running()) {
          rows.add(s);
        }
      }
      Instant now = Instant.now();
      if (format.json()) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Containers.Status s : rows) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("Id", s.record().id());
          m.put("Names", s.record().name());
          m.put("Image", s.record().imageName());
          m.put("ImageDigest", s.record().imageManifest().toString());
          m.put("Command", s.record().command());
          m.put("CreatedAt", Instant.ofEpochMilli(s.record().createdAt()).toString());
          m.put("State", s.state());
          m.put("ExitCode", s.exitCode());
          m.put("Pid", s.pid());
          m.put("Status", statusText(s, now));
          m.put("Ports", ports(containers, s));
          list.add(m);
        }
        out.println(Json.pretty(list));
        out.flush();
        return 0;
      }
      if (quiet) {
        rows.forEach(s -> out.println(noTrunc ? s.record().id() : s.record().shortId()));
        out.flush();
        return 0;
      }
      Format.Table t = new Format.Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
      for (Containers.Status s : rows) {
        String cmd = "\"" + String.join(" ", s.record().command()) + "\"";
        if (!noTrunc && cmd.length() > 22) {
          cmd = cmd.substring(0, 19) + "…\"";
        }
        t.row(noTrunc ? s.record().id() : s.record().shortId(), s.record().imageName(), cmd,
            Format.ago(Instant.ofEpochMilli(s.record().createdAt()), now), statusText(s, now), ports(containers, s), s.record().name());
      }
      out.print(t);
      out.flush();
      return 0;
    }
  }

  /** The published ports of a running container, as docker ps shows them. */
  private static String ports(Containers containers, Containers.Status s) {
    if (!s.running()) {
      return "";
    }
    var lease = containers.networks().lease(s.record().id()).orElse(null);
    return lease == null ? "" : NetworkView.psPorts(lease,
        NetworkMode.exposed(containers.store().layout().container(s.record().id())));
  }

  static String statusText(Containers.Status s, Instant now) {
    ContainerRecord r = s.record();
    if (s.running()) {
      return "Up " + Format.ago(Instant.ofEpochMilli(r.startedAt()), now).replace(" ago", "")
          + (s.paused() ? " (Paused)" : "");
    }
    if (s.state().equals(ContainerRecord.CREATED)) {
      return "Created";
    }
    return "Exited (" + (s.exitCode() == null ? "?" : s.exitCode()) + ") "
        + Format.ago(Instant.ofEpochMilli(r.finishedAt() == 0 ? r.createdAt() : r.finishedAt()), now);
  }
}
