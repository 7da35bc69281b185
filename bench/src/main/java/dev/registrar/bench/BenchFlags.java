package dev.registrar.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --name value} pairs of a bench command. A flag without a value, a bare word or
 * {@code --help} is a usage error: a bench run takes minutes, so a mistyped command must not start
 * one with the defaults.
 */
final class BenchFlags {

  /** The command line was not one the bench takes; the message says why, or is the usage. */
  static final class UsageException extends IllegalArgumentException {
    private final boolean help;

    UsageException(String message, boolean help) {
      super(message);
      this.help = help;
    }

    boolean help() {
      return help;
    }
  }

  private final Map<String, String> values = new LinkedHashMap<>();

  private BenchFlags() {}

  static BenchFlags parse(List<String> args, String usage) {
    BenchFlags flags = new BenchFlags();
    for (int i = 0; i < args.size(); i += 2) {
      String name = args.get(i);
      if (name.equals("--help") || name.equals("-h")) {
        throw new UsageException(usage, true);
      }
      if (!name.startsWith("--")) {
        throw new UsageException("unexpected argument " + name + "\n" + usage, false);
      }
      if (i + 1 >= args.size()) {
        throw new UsageException("flag " + name + " needs a value\n" + usage, false);
      }
      flags.values.put(name.substring(2), args.get(i + 1));
    }
    return flags;
  }

  /** The flag's value, or {@code otherwise}; taken, so that {@link #requireAllTaken} sees what is left. */
  String take(String name, String otherwise) {
    String value = values.remove(name);
    return value == null ? otherwise : value;
  }

  void requireAllTaken(String usage) {
    if (!values.isEmpty()) {
      throw new UsageException("unknown flags " + values.keySet() + "\n" + usage, false);
    }
  }
}
