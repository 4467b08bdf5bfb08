package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.registry.RegistryLogin;
import dev.dcont.registry.RegistryOptions;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dcont login [SERVER]}: check credentials against a registry and store them as Docker does. */
@Command(name = "login", description = "Log in to a registry (stores credentials in ~/.docker/config.json).")
public final class LoginCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-u", "--username"}, description = "User name.")
  String username;

  @Option(names = {"-p", "--password"}, description = "Password (prefer --password-stdin).")
  String password;

  @Option(names = "--password-stdin", description = "Read the password from standard input.")
  boolean passwordStdin;

  @Parameters(arity = "0..1", paramLabel = "SERVER", description = "Registry host (default: Docker Hub).")
  String server;

  @Override
  public Integer call() throws IOException {
    if (password != null && passwordStdin) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--password and --password-stdin are mutually exclusive");
    }
    Console console = System.console();
    if (passwordStdin) {
      if (username == null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--password-stdin needs --username");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = r.readLine();
      password = line == null ? "" : line.strip();
    }
    if (username == null) {
      if (console == null) {
        throw new Errors.UserError("login: no user name given and no terminal to ask on (use -u and --password-stdin)");
      }
      username = console.readLine("Username: ");
    }
    if (password == null) {
      if (console == null) {
        throw new Errors.UserError("login: no password given and no terminal to ask on (use --password-stdin)");
      }
      char[] pw = console.readPassword("Password: ");
      password = pw == null ? "" : new String(pw);
    }
    if (this.password != null && !passwordStdin && spec.commandLine().getParseResult().hasMatchedOption("-p")) {
      spec.commandLine().getErr().println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
    }
    new RegistryLogin(RegistryOptions.defaults()).login(server, username, password);
    spec.commandLine().getOut().println("Login Succeeded");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
