package dev.registrar.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A program run to its end (kubectl, helm): its exit code and what it printed on each stream. */
public record Command(List<String> command, int exit, String out, String err) {

  /** Runs {@code command} with {@code env} added to this JVM's environment; fails after {@code within}. */
  public static Command run(List<String> command, Map<String, String> env, Duration within) {
    try {
      Path out = Files.createTempFile("registrar-cmd-", ".out");
      Path err = Files.createTempFile("registrar-cmd-", ".err");
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not end within " + within + ":\n" + Files.readString(err));
      }
      Command result = new Command(List.copyOf(command), process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** This result, after asserting that the program exited 0. */
  public Command ok() {
    if (exit != 0) {
      throw new AssertionError(this);
    }
    return this;
  }

  @Override
  public String toString() {
    return String.join(" ", command) + " exited " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }

  /** The command with {@code first} before {@code rest}. */
  public static List<String> of(Path program, List<String> first, String... rest) {
    List<String> command = new ArrayList<>();
    command.add(program.toString());
    command.addAll(first);
    command.addAll(List.of(rest));
    return command;
  }
}
