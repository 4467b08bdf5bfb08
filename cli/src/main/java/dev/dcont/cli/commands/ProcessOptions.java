package dev.dcont.cli.commands;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of the container's process that {@code run} and {@code exec} share, with Docker's names. */
public final class ProcessOptions {
  @Option(names = {"-i", "--interactive"}, description = "Keep standard input open.")
  boolean interactive;

  @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-terminal.")
  boolean tty;

  @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VALUE]", description = "Set an environment variable.")
  List<String> env = new ArrayList<>();

  @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container.")
  String workdir;

  @Option(names = {"-u", "--user"}, description = "User: name|uid[:group|gid].")
  String user;
}
