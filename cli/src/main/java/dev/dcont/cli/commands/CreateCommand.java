package dev.dcont.cli.commands;

/**
 * {@code dcont create}: its model and its work are run's ({@link RunCommand#newCreateSpec}); this class names the
 * command in {@code Main}'s list, which registers only the command a command line names.
 */
public final class CreateCommand {
  public static final String NAME = RunCommand.CREATE;

  private CreateCommand() { }
}
