package dev.dcont.cli.net;

import dev.dcont.cli.Errors;
import dev.dcont.cli.run.Names;
import dev.dcont.store.OwnerOnly;
import dev.dcont.store.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The network definitions of a store, one podman-format JSON file each. {@code bridge}, the default network of
 * {@code run} as in Docker, is written at its first use (and can be edited there to change its subnet); networks
 * made by {@code network create} have names through aardvark-dns, as Docker's user networks have.
 */
public final class Networks {
  public static final String DEFAULT = "bridge";
  /** Modes of --network that are not networks (the container shares the host's or has only loopback). */
  public static final Set<String> RESERVED = Set.of("bridge", "host", "none", "default");

  /**
   * IPv6 ranges no network may overlap (nor hold :: and ::1): their addresses would not reach its containers (a
   * connection to an IPv4-mapped address goes out over IPv4 to the address it maps, one to ::1 stays in the
   * container).
   */
  private static final String[][] RESERVED6 = {
    {"::ffff:0:0/96", "IPv4-mapped addresses"}, {"ff00::/8", "multicast addresses"}};

  private final NetPaths paths;

  public Networks(NetPaths paths) {
    this.paths = paths;
  }

  /** The network {@code name}; the default network is made when it is first asked for. */
  public NetworkDef get(String name) {
    Optional<NetworkDef> d = find(name);
    if (d.isPresent()) {
      return d.get();
    }
    if (name.equals(DEFAULT)) {
      Subnet s = freeSubnet(172, 17, 16);
      NetworkDef made = write(new NetworkDef(DEFAULT, Names.newId(), "dcont0", s, s.firstHost(), false, false,
          now()));
      // two commands making it at once: the one written first is the network
      return find(DEFAULT).orElse(made);
    }
    throw new Errors.UserError("network " + name + " not found (see 'dcont network ls')", Errors.RUN_FAILED);
  }

  public Optional<NetworkDef> find(String name) {
    if (!Names.isValidName(name)) {
      return Optional.empty();
    }
    Path f = paths.definition(name);
    try {
      return Optional.of(NetworkDef.fromMap(Json.readObject(Files.readAllBytes(f), f.toString()), f.toString()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A network by name, or by its ID or a unique prefix of it, as {@code docker network inspect} takes them. */
  public Optional<NetworkDef> resolve(String nameOrId) {
    Optional<NetworkDef> byName = find(nameOrId);
    if (byName.isPresent() || nameOrId.equals(DEFAULT)) {
      return byName.isPresent() ? byName : Optional.of(get(DEFAULT));
    }
    List<NetworkDef> hits = list().stream().filter(d -> d.id().startsWith(nameOrId)).toList();
    return hits.size() == 1 && nameOrId.length() >= 3 ? Optional.of(hits.get(0)) : Optional.empty();
  }

  /** Every network, the default one included (made now if it was not yet), by name. */
  public List<NetworkDef> list() {
    get(DEFAULT);
    List<NetworkDef> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(paths.definitions(), "*.json")) {
      for (Path f : ds) {
        String n = f.getFileName().toString();
        find(n.substring(0, n.length() - 5)).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(Comparator.comparing(NetworkDef::name));
    return out;
  }

  /**
   * {@code network create}: a bridge of its own, a free /24 (or the IPv4 one of {@code subnets}), names through
   * aardvark-dns; with {@code ipv6}, or an IPv6 subnet among {@code subnets} (as podman takes it), an IPv6 subnet
   * too: that one, or a random unique local /64. Each of {@code gateways} is the gateway of its family's subnet.
   */
  public NetworkDef create(String name, List<String> subnets, List<String> gateways, boolean ipv6,
      boolean internal) {
    return create(name, subnets, gateways, ipv6, internal, Map.of());
  }

  /** As above, with the {@code labels} of {@code network create --label} (kept as podman keeps them). */
  public NetworkDef create(String name, List<String> subnets, List<String> gateways, boolean ipv6,
      boolean internal, Map<String, String> labels) {
    if (!Names.isValidName(name)) {
      throw new Errors.UserError("invalid network name \"" + name + "\", only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }
    if (RESERVED.contains(name)) {
      throw new Errors.UserError("network name " + name + " is reserved (bridge, host and none are dcont's own)");
    }
    if (find(name).isPresent()) {
      throw new Errors.UserError("network with name " + name + " already exists");
    }
    String subnet4 = one(subnets, false, "--subnet");
    String subnet6 = one(subnets, true, "--subnet");
    String gateway4 = one(gateways, false, "--gateway");
    String gateway6 = one(gateways, true, "--gateway");
    if (gateway6 != null && subnet6 == null && !ipv6) {
      throw new Errors.UserError("--gateway " + gateway6 + " is an IPv6 address on a network without IPv6"
          + " (add --ipv6 and an IPv6 --subnet)");
    }
    List<NetworkDef> all = list();
    Subnet s;
    if (subnet4 != null) {
      s = parsed(() -> Subnet.parse(subnet4));
      for (NetworkDef d : all) {
        if (d.subnet().overlaps(s)) {
          throw new Errors.UserError("subnet " + s + " overlaps network " + d.name() + "'s " + d.subnet()
              + " (choose another --subnet)");
        }
      }
    } else {
      s = freeSubnet(10, 90, 24);
    }
    int gw = s.firstHost();
    if (gateway4 != null) {
      gw = parsed(() -> Subnet.address(gateway4));
      if (!s.contains(gw) || gw == s.base() || gw > s.lastHost()) {
        throw new Errors.UserError("gateway " + gateway4 + " is not a host address of subnet " + s);
      }
    }
    Subnet6 s6 = null;
    BigInteger gw6 = null;
    if (subnet6 != null) {
      Subnet6 given = parsed(() -> Subnet6.parse(subnet6));
      String choose = " (choose another --subnet, e.g. a unique local one of fd00::/8)";
      if (given.contains(BigInteger.ZERO)) {
        throw new Errors.UserError("subnet " + given + " holds the unspecified and loopback addresses :: and ::1"
            + choose);
      }
      for (String[] r : RESERVED6) {
        if (given.overlaps(Subnet6.parse(r[0]))) {
          throw new Errors.UserError("subnet " + given + " overlaps the " + r[1] + " " + r[0] + choose);
        }
      }
      for (NetworkDef d : all) {
        if (d.ipv6() && d.subnet6().overlaps(given)) {
          throw new Errors.UserError("subnet " + given + " overlaps network " + d.name() + "'s " + d.subnet6()
              + " (choose another --subnet)");
        }
      }
      s6 = given;
    } else if (ipv6) {
      s6 = freeSubnet6(all);
    }
    if (s6 != null) {
      gw6 = s6.firstHost();
      if (gateway6 != null) {
        BigInteger g = parsed(() -> Subnet6.address(gateway6));
        if (!s6.contains(g) || g.equals(s6.base()) || g.compareTo(s6.lastHost()) > 0) {
          throw new Errors.UserError("gateway " + gateway6 + " is not a host address of subnet " + s6);
        }
        gw6 = g;
      }
    }
    String iface = null;
    for (int i = 1; iface == null; i++) {
      String candidate = "dcont" + i;
      if (all.stream().noneMatch(d -> d.iface().equals(candidate))) {
        iface = candidate;
      }
    }
    NetworkDef d = new NetworkDef(name, Names.newId(), iface, s, gw, s6, gw6, true, internal, now());
    write(d, labels);
    return find(name).orElse(d);
  }

  /** The labels network {@code d} was created with (podman's {@code labels} of its file). */
  public Map<String, String> labels(NetworkDef d) {
    Path f = paths.definition(d.name());
    Map<String, String> out = new TreeMap<>();
    try {
      if (Json.readObject(Files.readAllBytes(f), f.toString()).get("labels") instanceof Map<?, ?> m) {
        m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public void remove(NetworkDef d) {
    if (d.name().equals(DEFAULT)) {
      throw new Errors.UserError("bridge is a pre-defined network and cannot be removed");
    }
    try {
      Files.deleteIfExists(paths.definition(d.name()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a new network's file whole, never over another's (a link, which fails when the name is taken). */
  private NetworkDef write(NetworkDef def) {
    return write(def, Map.of());
  }

  private NetworkDef write(NetworkDef def, Map<String, String> labels) {
    try {
      OwnerOnly.createDirectories(paths.definitions());
      Path tmp = OwnerOnly.createUnique(paths.definitions(), "." + def.name() + "-", ".tmp");
      try {
        Map<String, Object> m = def.toMap();
        if (!labels.isEmpty()) {
          m.put("labels", new TreeMap<>(labels));
        }
        Files.write(tmp, Json.write(m));
        Files.createLink(paths.definition(def.name()), tmp);
      } catch (java.nio.file.FileAlreadyExistsException taken) {
        // made by another command meanwhile
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return def;
  }

  /** The one value of {@code values} of the family asked for (IPv6 or not), or null; two are refused. */
  private static String one(List<String> values, boolean v6, String flag) {
    String found = null;
    for (String v : values) {
      if (Subnet6.looksV6(v) == v6) {
        if (found != null) {
          throw new Errors.UserError(flag + " " + found + " and " + flag + " " + v + ": one IPv4 and one IPv6 "
              + flag + " at most");
        }
        found = v;
      }
    }
    return found;
  }

  private static <T> T parsed(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new Errors.UserError(e.getMessage());
    }
  }

  /**
   * A random unique local /64 that overlaps neither another network of the store nor a route of this network
   * namespace, as podman picks one (RFC 4193 asks for a random one, not the next in a sequence).
   */
  private static Subnet6 freeSubnet6(List<NetworkDef> all) {
    List<Subnet6> taken = new ArrayList<>(Routes.ipv6());
    all.stream().filter(NetworkDef::ipv6).forEach(d -> taken.add(d.subnet6()));
    for (int i = 0; i < 100; i++) {
      Subnet6 s = Subnet6.ula(java.util.HexFormat.of().parseHex(Names.newId()));
      if (taken.stream().noneMatch(s::overlaps)) {
        return s;
      }
    }
    throw new Errors.UserError("no free IPv6 subnet found for a new network (give one with --subnet)");
  }

  /**
   * The first of {@code a.b.0.0/prefix}, {@code a.(b+1)…} (for a /16) or {@code a.b.1.0…} (for a /24) that overlaps
   * neither another network of the store nor a route of this network namespace (the host's own networks), as
   * podman picks a subnet for a new network.
   */
  private Subnet freeSubnet(int a, int b, int prefix) {
    List<Subnet> taken = new ArrayList<>(Routes.ipv4());
    if (Files.isDirectory(paths.definitions())) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(paths.definitions(), "*.json")) {
        for (Path f : ds) {
          String n = f.getFileName().toString();
          find(n.substring(0, n.length() - 5)).ifPresent(d -> taken.add(d.subnet()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (int i = 0; i < 256; i++) {
      Subnet s = prefix == 16 ? new Subnet((a << 24) | ((b + i) << 16), 16)
          : new Subnet((a << 24) | (b << 16) | (i << 8), 24);
      if (prefix == 16 && b + i > 31) {
        break;
      }
      if (taken.stream().noneMatch(s::overlaps)) {
        return s;
      }
    }
    throw new Errors.UserError("no free subnet left for a new network (give one with --subnet)");
  }

  private static String now() {
    return java.time.Instant.now().toString();
  }
}
