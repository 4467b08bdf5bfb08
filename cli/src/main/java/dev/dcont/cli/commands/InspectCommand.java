package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.net.ContainerNetworks;
import dev.dcont.cli.net.NetworkView;
import dev.dcont.cli.run.NetworkMode;
import dev.dcont.cli.run.Containers;
import dev.dcont.cli.run.JoinedNetwork;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.model.Json;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont inspect IMAGE…}: an image's metadata as JSON. */
@Command(name = "inspect", description = "Show details of images or containers as JSON.")
public final class InspectCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE|CONTAINER",
      description = "Image name, ID or digest; or a container name or ID.")
  List<String> names;

  @Override
  public Integer call() throws IOException {
    try (Store store = GlobalOptions.openStore()) {
      List<Object> out = new ArrayList<>();
      Containers containers = null;
      for (String name : names) {
        var img = store.images().resolve(name);
        if (img.isPresent()) {
          out.add(describe(store, store.images().named(img.get())));
          continue;
        }
        if (containers == null) {
          containers = new Containers(store);
        }
        var c = containers.find(name);
        if (c.isEmpty()) {
          throw new Errors.UserError("inspect " + name + ": no such image or container (see 'dcont images', 'dcont ps -a')");
        }
        out.add(describe(store, containers, containers.status(c.get())));
      }
      spec.commandLine().getOut().println(Json.pretty(out));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** A container as {@code docker inspect} shows the parts dcont has. */
  static Map<String, Object> describe(Store store, Containers containers, Containers.Status st)
      throws IOException {
    ContainerRecord r = st.record();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", r.id());
    m.put("Name", "/" + r.name());
    m.put("Created", java.time.Instant.ofEpochMilli(r.createdAt()).toString());
    m.put("Path", r.command().isEmpty() ? "" : r.command().get(0));
    m.put("Args", r.command().size() > 1 ? r.command().subList(1, r.command().size()) : List.of());
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("Status", st.paused() ? "paused" : st.state());
    state.put("Running", st.running());
    state.put("Paused", st.paused());
    state.put("Pid", st.pid());
    state.put("ExitCode", st.exitCode() == null ? 0 : st.exitCode());
    state.put("StartedAt", r.startedAt() == 0 ? null : java.time.Instant.ofEpochMilli(r.startedAt()).toString());
    state.put("FinishedAt", r.finishedAt() == 0 ? null : java.time.Instant.ofEpochMilli(r.finishedAt()).toString());
    m.put("State", state);
    m.put("Image", store.images().find(r.imageManifest()).map(i -> i.id().toString()).orElse(r.imageManifest().toString()));
    m.put("ImageName", r.imageName());
    m.put("AutoRemove", r.autoRemove());
    Path bundle = store.layout().container(r.id());
    m.put("Bundle", bundle.toString());
    Path config = bundle.resolve("config.json");
    if (Files.exists(config)) {
      m.put("Spec", Json.readObject(Files.readAllBytes(config), config.toString()));
    }
    m.put("LogPath", store.layout().containerLog(r.id()).toString());
    ContainerNetworks.Request net = NetworkMode.read(bundle);
    String mode = net != null ? net.network() : networkMode(m.get("Spec"));
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("NetworkMode", mode);
    host.put("PortBindings", NetworkView.ports(net == null ? List.of() : net.ports(), false));
    // where Docker's inspect has it ({{.HostConfig.AutoRemove}})
    host.put("AutoRemove", r.autoRemove());
    m.put("HostConfig", host);
    var lease = st.running() && net != null ? containers.networks().lease(r.id()).orElse(null) : null;
    m.put("NetworkSettings", NetworkView.settings(mode, net, lease, NetworkMode.exposed(bundle),
        n -> containers.networks().networks().find(n).map(dev.dcont.cli.net.NetworkDef::id).orElse("")));
    return m;
  }

  /** none or host, from the spec: whether it gives the container a network namespace of its own. */
  private static String networkMode(Object spec) {
    if (spec instanceof Map<?, ?> sm && sm.get("annotations") instanceof Map<?, ?> a
        && a.get(JoinedNetwork.ANNOTATION) != null) {
      return "container:" + a.get(JoinedNetwork.ANNOTATION);
    }
    if (spec instanceof Map<?, ?> sm && sm.get("linux") instanceof Map<?, ?> linux
        && linux.get("namespaces") instanceof List<?> ns) {
      for (Object n : ns) {
        if (n instanceof Map<?, ?> nm && "network".equals(nm.get("type"))) {
          return "none";
        }
      }
    }
    return "host";
  }

  static Map<String, Object> describe(Store store, ImageRepository.Named n) throws IOException {
    ImageRecord img = n.image();
    Map<String, Object> config = Json.readObject(store.content().readAll(img.configDigest()),
        "image config " + img.configDigest());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", img.id().toString());
    m.put("RepoTags", n.tags().stream().map(Reference::familiarName).toList());
    m.put("RepoDigests", n.digests().stream().map(Reference::familiarName).toList());
    m.put("ManifestDigest", img.manifestDigest().toString());
    m.put("ManifestMediaType", img.manifestMediaType().toString());
    m.put("Created", img.created());
    m.put("Os", img.platform().os());
    m.put("Architecture", img.platform().architecture());
    if (img.platform().variant() != null) {
      m.put("Variant", img.platform().variant());
    }
    m.put("Size", img.size());
    m.put("Config", config.get("config"));
    Map<String, Object> rootfs = new LinkedHashMap<>();
    rootfs.put("Type", "layers");
    rootfs.put("Layers", img.layers().stream().map(l -> l.diffId().toString()).toList());
    m.put("RootFS", rootfs);
    List<Map<String, Object>> layers = new ArrayList<>();
    for (ImageRecord.Layer l : img.layers()) {
      Map<String, Object> lm = new LinkedHashMap<>();
      lm.put("Digest", l.digest().toString());
      lm.put("DiffID", l.diffId().toString());
      lm.put("MediaType", l.mediaType().toString());
      lm.put("Size", l.size());
      layers.add(lm);
    }
    m.put("Layers", layers);
    return m;
  }
}
