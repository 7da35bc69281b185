package dev.registrar.sandbox;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The built sandbox jar, run as a separate process the way a user runs it, with its output collected. */
final class SandboxProcess implements AutoCloseable {

  private final Process process;
  // A file, not a pipe: reading a pipe while the JDK drains it at process exit can lose the last lines.
  private final Path outputFile;

  private SandboxProcess(List<String> args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
    command.addAll(args);
    try {
      outputFile = Files.createTempFile("sandbox-output", ".txt");
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(outputFile.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SandboxProcess start(String... args) {
    return new SandboxProcess(List.of(args));
  }

  /** sandbox/target/registrar-sandbox.jar, which the package phase builds before the ITs run. */
  static Path jar() {
    Path jar = Path.of("target", "registrar-sandbox.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " was not built: run the package phase first (./mvnw -pl sandbox -am verify)");
    }
    return jar;
  }

  String output() {
    try {
      return Files.readString(outputFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void awaitOutput(String text, Duration within) {
    await().atMost(within).pollInterval(Duration.ofMillis(100))
        .failFast("the sandbox exited", () -> !process.isAlive() && !output().contains(text))
        .until(() -> output().contains(text));
  }

  /** The first group of {@code regex} in the output. */
  String find(String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(output());
    if (!matcher.find()) {
      throw new AssertionError("no match for " + regex + " in:\n" + output());
    }
    return matcher.group(1);
  }

  Optional<Integer> awaitExit(Duration within) {
    try {
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        return Optional.empty();
      }
      return Optional.of(process.exitValue());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Every process the sandbox started (etcd), while it runs. */
  List<ProcessHandle> descendants() {
    return process.descendants().toList();
  }

  /** SIGTERM: the same shutdown path as Ctrl-C (a process started by a test may ignore SIGINT). */
  void terminate() {
    process.destroy();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(outputFile);
    } catch (IOException e) {
      // a temp file
    }
  }
}
