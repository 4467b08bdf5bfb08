package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.Format;
import dev.dcont.cli.FormatOption;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.layers.DiskUsage;
import dev.dcont.layers.StoreChecker;
import dev.dcont.cli.run.Containers;
import dev.dcont.layers.DiskUsage;
import dev.dcont.layers.StorePruner;
import dev.dcont.store.db.ContainerRecord;
import dev.dcont.store.Store;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.Reference;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dcont system df|prune|check}. */
@Command(name = "system", description = "Manage the store: disk usage, prune, check.",
    subcommands = {SystemCommand.Df.class, SystemCommand.Prune.class, SystemCommand.Check.class})
public final class SystemCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: df, prune or check");
  }

  static String pct(long part, long whole) {
    return whole == 0 ? "0%" : Math.round(100.0 * part / whole) + "%";
  }

  /** {@code dcont system df [-v]}. */
  @Command(name = "df", description = "Show disk usage: images, layers, containers.")
  public static final class Df implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, description = "Show per image, layer and container usage.")
    boolean verbose;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (Store store = GlobalOptions.openStore()) {
        long t0 = System.nanoTime();
        new Containers(store).refreshAll();
        DiskUsage.Report r = DiskUsage.compute(store);
        if (GlobalOptions.debug()) {
          spec.commandLine().getErr().println("system df: computed in " + (System.nanoTime() - t0) / 1_000_000
              + " ms (" + r.images().size() + " images)");
        }
        if (format.json()) {
          Map<String, Object> m = new LinkedHashMap<>();
          List<Map<String, Object>> rows = new ArrayList<>();
          for (DiskUsage.Summary s : r.summary()) {
            rows.add(Map.of("Type", s.type(), "TotalCount", s.total(), "Active", s.active(), "Size", s.size(),
                "Reclaimable", s.reclaimable()));
          }
          m.put("Summary", rows);
          m.put("Total", r.total());
          m.put("Shared", r.shared());
          m.put("Unique", r.unique());
          m.put("Reclaimable", r.reclaimable());
          if (verbose) {
            List<Map<String, Object>> im = new ArrayList<>();
            for (DiskUsage.ImageUsage u : r.images()) {
              im.add(Map.of("Id", u.image().id().toString(), "RepoTags",
                  u.tags().stream().map(Reference::familiarName).toList(), "Size", u.size(), "SharedSize",
                  u.shared(), "UniqueSize", u.unique(), "Containers", u.containers()));
            }
            m.put("Images", im);
            List<Map<String, Object>> ls = new ArrayList<>();
            for (DiskUsage.LayerUsage u : r.layers()) {
              ls.add(Map.of("ChainID", u.snapshot().chainId().toString(), "DiffID",
                  u.snapshot().diffId().toString(), "Size", u.snapshot().size(), "CompressedSize", u.blobSize(),
                  "Files", u.snapshot().files(), "Images", u.images(), "Containers", u.containers()));
            }
            m.put("Layers", ls);
            List<Map<String, Object>> cs = new ArrayList<>();
            for (DiskUsage.ContainerUsage u : r.containers()) {
              cs.add(Map.of("Id", u.id(), "State", u.state(), "Size", u.size()));
            }
            m.put("Containers", cs);
          }
          out.println(Json.pretty(m));
          return 0;
        }
        Format.Table t = new Format.Table("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
        for (DiskUsage.Summary s : r.summary()) {
          t.row(s.type(), Integer.toString(s.total()), Integer.toString(s.active()), Format.size(s.size()),
              Format.size(s.reclaimable()) + " (" + pct(s.reclaimable(), s.size()) + ")");
        }
        out.print(t);
        out.println();
        out.println("Total: " + Format.size(r.total()) + "  shared: " + Format.size(r.shared()) + "  unique: "
            + Format.size(r.unique()) + "  reclaimable: " + Format.size(r.reclaimable()));
        if (verbose) {
          Instant now = Instant.now();
          out.println();
          out.println("Images space usage:");
          out.println();
          Format.Table it = new Format.Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE",
              "UNIQUE SIZE", "CONTAINERS");
          for (DiskUsage.ImageUsage u : r.images()) {
            String repo = u.tags().isEmpty() ? "<none>" : u.tags().get(0).familiarRepository();
            String tag = u.tags().isEmpty() ? "<none>" : u.tags().get(0).tag();
            it.row(repo, tag, u.image().id().shortHex(), Format.ago(Format.parseInstant(u.image().created()), now),
                Format.size(u.size()), Format.size(u.shared()), Format.size(u.unique()),
                Integer.toString(u.containers()));
          }
          out.print(it);
          out.println();
          out.println("Layers space usage:");
          out.println();
          Format.Table lt = new Format.Table("CHAIN ID", "DIFF ID", "UNPACKED", "COMPRESSED", "FILES", "IMAGES",
              "CONTAINERS");
          for (DiskUsage.LayerUsage u : r.layers()) {
            lt.row(u.snapshot().chainId().digest().shortHex(), u.snapshot().diffId().shortHex(),
                Format.size(u.snapshot().size()), Format.size(u.blobSize()), Long.toString(u.snapshot().files()),
                Integer.toString(u.images()), Integer.toString(u.containers()));
          }
          out.print(lt);
          out.println();
          out.println("Containers space usage:");
          out.println();
          Format.Table ct = new Format.Table("CONTAINER ID", "STATE", "SIZE");
          for (DiskUsage.ContainerUsage u : r.containers()) {
            ct.row(u.id().substring(0, 12), u.state(), Format.size(u.size()));
          }
          out.print(ct);
        }
        out.flush();
        return 0;
      }
    }
  }

  /** {@code dcont system prune}. */
  @Command(name = "prune", description = "Remove unused blobs, snapshots, leftovers and stopped containers.")
  public static final class Prune implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--force"}, description = "Do not prompt (dcont never prompts; accepted for Docker "
        + "compatibility).")
    boolean force;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (Store store = GlobalOptions.openStore()) {
        // stopped containers first, through the same path as 'dcont rm' (runtime state, mount, files, row)
        Containers containers = new Containers(store);
        int removed = 0;
        long removedBytes = 0;
        for (ContainerRecord c : store.containers().list()) {
          if (!containers.status(c).running()) {
            removedBytes += DiskUsage.treeSize(store.layout().container(c.id()));
            try {
              containers.remove(c, false);
              removed++;
            } catch (Exception e) {
              spec.commandLine().getErr().println("dcont: prune: container " + c.name() + ": " + e.getMessage());
            }
          }
        }
        StorePruner.Result r = StorePruner.prune(store);
        out.println("Removed " + (removed + r.containers()) + " stopped container(s) ("
            + Format.size(removedBytes + r.containerBytes()) + "), "
            + r.snapshots() + " unused layer snapshot(s) and " + r.leftovers() + " leftover(s) ("
            + Format.size(r.snapshotBytes()) + "), " + r.blobs().size() + " blob(s) ("
            + Format.size(r.blobBytes()) + "), partial downloads (" + Format.size(r.ingestBytes()) + ")");
        out.println("Total reclaimed space: " + Format.size(r.total() + removedBytes));
        out.flush();
        return 0;
      }
    }
  }

  /** {@code dcont system check}. */
  @Command(name = "check", description = "Verify the store: blob digests, database against disk.")
  public static final class Check implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Do not re-hash blob contents.")
    boolean quick;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (Store store = GlobalOptions.openStore()) {
        StoreChecker.Report r = StoreChecker.check(store, !quick);
        r.problems().forEach(p -> out.println("error: " + p));
        r.notes().forEach(n -> out.println("note: " + n));
        out.println("Checked " + r.blobsChecked() + " blob(s) and " + r.snapshotsChecked() + " snapshot(s): "
            + (r.ok() ? "no problems" : r.problems().size() + " problem(s)"));
        out.flush();
        if (!r.ok()) {
          throw new Errors.UserError("store " + store.layout().root() + ": " + r.problems().size()
              + " problem(s) found (see above)");
        }
        return 0;
      }
    }
  }
}
