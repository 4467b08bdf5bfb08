package dev.dcont.cli.commands;

import static dev.dcont.cli.commands.Options.flag;
import static dev.dcont.cli.commands.Options.isSet;
import static dev.dcont.cli.commands.Options.repeated;
import static dev.dcont.cli.commands.Options.single;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The options of the container's process that {@code run} and {@code exec} share, with Docker's names. */
final class ProcessOptions {
  private final OptionSpec interactive;
  private final OptionSpec tty;
  private final OptionSpec env;
  private final OptionSpec workdir;
  private final OptionSpec user;

  /** Adds the options to {@code command}, in the order its help lists them. */
  ProcessOptions(CommandSpec command) {
    interactive = flag(command, "Keep standard input open.", "-i", "--interactive");
    tty = flag(command, "Allocate a pseudo-terminal.", "-t", "--tty");
    env = repeated(command, String.class, "KEY[=VALUE]", "Set an environment variable.", "-e", "--env");
    workdir = single(command, String.class, "<workdir>", "Working directory inside the container.", "-w",
        "--workdir");
    user = single(command, String.class, "<user>", "User: name|uid[:group|gid].", "-u", "--user");
  }

  boolean interactive() {
    return isSet(interactive);
  }

  boolean tty() {
    return isSet(tty);
  }

  List<String> env() {
    return Options.values(env);
  }

  String workdir() {
    return workdir.getValue();
  }

  String user() {
    return user.getValue();
  }
}
