package dev.dcont.cli.commands;

import dev.dcont.registry.RegistryLogin;
import dev.dcont.registry.RegistryOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont logout [SERVER]}: remove stored credentials. */
@Command(name = "logout", description = "Log out from a registry (removes stored credentials).")
public final class LogoutCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "SERVER", description = "Registry host (default: Docker Hub).")
  String server;

  @Override
  public Integer call() {
    String name = RegistryLogin.registryName(server);
    boolean removed = new RegistryLogin(RegistryOptions.defaults()).logout(server);
    if (removed) {
      spec.commandLine().getOut().println("Removing login credentials for " + name);
    } else {
      spec.commandLine().getOut().println("Not logged in to " + name);
    }
    spec.commandLine().getOut().flush();
    return 0;
  }
}
