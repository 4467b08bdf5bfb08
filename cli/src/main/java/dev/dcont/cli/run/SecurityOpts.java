package dev.dcont.cli.run;

import dev.dcont.cli.Errors;
import dev.dcont.runtime.launch.CapabilitySet;
import dev.dcont.runtime.launch.SeccompFilter;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.SeccompProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --security-opt} as Docker reads it (docker/cli {@code parseSecurityOpts}, then the daemon's
 * {@code parseSecurityOpt} and {@code WithSeccomp}): {@code seccomp=unconfined|builtin|FILE.json},
 * {@code no-new-privileges[=BOOL]}, and {@code apparmor=}/{@code label=}, of which a host without AppArmor and
 * SELinux (dcont supports neither) takes only the unconfined values. {@code KEY:VALUE} is read as {@code KEY=VALUE}.
 */
public final class SecurityOpts {
  /** Where the container's seccomp filter comes from. */
  public enum Seccomp { DEFAULT, BUILTIN, UNCONFINED, FILE }

  public static final SecurityOpts NONE = new SecurityOpts(Seccomp.DEFAULT, null, null, false);

  private final Seccomp seccomp;
  private final String profileName;
  private final byte[] profile;
  private final boolean noNewPrivileges;

  private SecurityOpts(Seccomp seccomp, String profileName, byte[] profile, boolean noNewPrivileges) {
    this.seccomp = seccomp;
    this.profileName = profileName;
    this.profile = profile;
    this.noNewPrivileges = noNewPrivileges;
  }

  public boolean noNewPrivileges() {
    return noNewPrivileges;
  }

  public Seccomp seccompSource() {
    return seccomp;
  }

  /** Reads the options; a profile file is read and checked here, before anything is pulled or made. */
  public static SecurityOpts parse(List<String> opts) {
    Seccomp seccomp = Seccomp.DEFAULT;
    String file = null;
    boolean nnp = false;
    for (String opt : opts) {
      if (opt.equals("no-new-privileges")) {
        nnp = true;
        continue;
      }
      int eq = opt.indexOf('=');
      int at = eq >= 0 ? eq : opt.indexOf(':');
      if (at < 0 || (at == opt.length() - 1 && !opt.substring(0, at).equals("no-new-privileges"))) {
        throw fail("invalid --security-opt: \"" + opt + "\" (expected KEY=VALUE)");
      }
      String key = opt.substring(0, at);
      String value = opt.substring(at + 1);
      switch (key) {
        case "seccomp" -> {
          switch (value) {
            case "unconfined" -> seccomp = Seccomp.UNCONFINED;
            case "builtin" -> seccomp = Seccomp.BUILTIN;
            default -> {
              seccomp = Seccomp.FILE;
              file = value;
            }
          }
        }
        case "no-new-privileges" -> nnp = bool(value, opt);
        case "apparmor" -> {
          if (!value.equals("unconfined")) {
            throw fail("--security-opt " + opt + ": dcont has no AppArmor support; only apparmor=unconfined is"
                + " accepted");
          }
        }
        case "label" -> {
          if (!value.equals("disable")) {
            throw fail("--security-opt " + opt + ": dcont has no SELinux support; only label=disable is accepted");
          }
        }
        default -> throw fail("invalid --security-opt: \"" + opt + "\" (dcont knows seccomp=, no-new-privileges,"
            + " apparmor= and label=)");
      }
    }
    byte[] json = null;
    if (seccomp == Seccomp.FILE) {
      try {
        json = Files.readAllBytes(Path.of(file));
      } catch (IOException | RuntimeException e) {
        throw fail("opening seccomp profile (" + file + ") failed: " + reason(e));
      }
      try {
        // checked as the runtime will load it, with no capabilities and with all (rules depend on them)
        for (List<String> caps : List.of(List.<String>of(), CapabilitySet.names(-1L))) {
          Linux.Seccomp s = SeccompProfile.parse(json, caps);
          if (s != null) {
            SeccompFilter.compile(s, false);
          }
        }
      } catch (IllegalArgumentException e) {
        throw fail("seccomp profile " + file + ": " + e.getMessage());
      }
    }
    return new SecurityOpts(seccomp, file, json, nnp);
  }

  /**
   * Starts making the built-in profile's {@code linux.seccomp} for {@code bounding} on a side thread, when the
   * container will have it: reading and converting the profile is a few milliseconds of a cold JVM, done while
   * the image is resolved and the container's root made.
   */
  public void prepare(List<String> bounding, boolean privileged) {
    if (seccomp != Seccomp.UNCONFINED && seccomp != Seccomp.FILE && !(privileged && seccomp == Seccomp.DEFAULT)) {
      Prepared p = new Prepared(List.copyOf(bounding));
      prepared = p;
      p.start();
    }
  }

  private volatile Prepared prepared;

  /** The built-in profile made for one bounding set (a named class: no lambda bootstrap on the run path). */
  private static final class Prepared extends Thread {
    final List<String> bounding;
    private Linux.Seccomp result;
    private RuntimeException failure;

    Prepared(List<String> bounding) {
      super("seccomp-profile");
      setDaemon(true);
      this.bounding = bounding;
    }

    @Override
    public void run() {
      try {
        result = SeccompProfile.dockerDefault(bounding);
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    Linux.Seccomp get() {
      boolean interrupted = false;
      while (true) {
        try {
          join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (failure != null) {
        throw failure;
      }
      return result;
    }
  }

  /**
   * The container's {@code linux.seccomp} for its bounding set {@code bounding}, as Docker's daemon makes it:
   * none when unconfined, none for a privileged container unless a profile file was given, else the built-in
   * profile or the file's, with their conditions applied.
   */
  public Linux.Seccomp linuxSeccomp(List<String> bounding, boolean privileged) {
    switch (seccomp) {
      case UNCONFINED -> {
        return null;
      }
      case FILE -> {
        try {
          return SeccompProfile.parse(profile, bounding);
        } catch (IllegalArgumentException e) {
          throw fail("seccomp profile " + profileName + ": " + e.getMessage());
        }
      }
      default -> {
        if (privileged && seccomp == Seccomp.DEFAULT) {
          return null;
        }
        Prepared p = prepared;
        return p != null && p.bounding.equals(bounding) ? p.get() : SeccompProfile.dockerDefault(bounding);
      }
    }
  }

  /** Go's {@code strconv.ParseBool}, which the daemon uses. */
  private static boolean bool(String v, String opt) {
    return switch (v) {
      case "1", "t", "T", "true", "TRUE", "True" -> true;
      case "0", "f", "F", "false", "FALSE", "False" -> false;
      default -> throw fail("invalid --security-opt: \"" + opt + "\" (no-new-privileges takes true or false)");
    };
  }

  private static String reason(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static Errors.UserError fail(String message) {
    return new Errors.UserError(message, Errors.RUN_FAILED);
  }
}
