package dev.dcont.cli.commands;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Options declared through picocli's programmatic API, for the commands whose model is built without annotations
 * (run, exec, and the top-level command): each adds the option to a command and returns it, and the command
 * reads the parsed value back from it.
 */
public final class Options {
  private Options() { }

  /** An option without a value. */
  public static OptionSpec flag(CommandSpec into, String description, String... names) {
    return add(into, OptionSpec.builder(names).type(boolean.class).initialValue(Boolean.FALSE)
        .description(description));
  }

  /** An option with one value of {@code type}. */
  public static OptionSpec single(CommandSpec into, Class<?> type, String label, String description,
      String... names) {
    return add(into, OptionSpec.builder(names).type(type).paramLabel(label).description(description));
  }

  /** An option that may be repeated, each time with one value of {@code element}. */
  public static OptionSpec repeated(CommandSpec into, Class<?> element, String label, String description,
      String... names) {
    return add(into, OptionSpec.builder(names).type(List.class).auxiliaryTypes(element).paramLabel(label)
        .description(description));
  }

  public static OptionSpec add(CommandSpec into, OptionSpec.Builder option) {
    OptionSpec o = option.build();
    into.addOption(o);
    return o;
  }

  public static boolean isSet(OptionSpec flag) {
    return Boolean.TRUE.equals(flag.getValue());
  }

  /** The values of a repeated option or of a list of parameters; empty when none were given. */
  public static <T> List<T> values(ArgSpec repeated) {
    List<T> v = repeated.getValue();
    return v == null ? new ArrayList<>() : v;
  }
}
