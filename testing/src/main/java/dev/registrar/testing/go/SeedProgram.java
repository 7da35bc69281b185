package dev.registrar.testing.go;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go program of the seed article's pattern ({@code registrar-seed}, etcd's own
 * {@code clientv3}), built once per JVM from its source in this module's resources, and run as a
 * child process. A missing Go toolchain or etcd client source is a test failure saying what to
 * install, never a skip.
 */
public final class SeedProgram implements AutoCloseable {

  static final String INSTALL_HINT = "the Go interop tests build a real Go program with etcd's own client "
      + "(a Go module pinned in registrar-seed/go.mod): they need Go 1.26 or newer, preinstalled at /usr/local/go "
      + "on the project's machines, and the Go module proxy (or the modules in the module cache: 'bash .ci/run' "
      + "downloads them)";
  private static final String PACKAGE = "registrar-seed";
  private static final List<String> SOURCES = List.of("go.mod", "go.sum", "main.go");

  private static Path binary;

  private final Process process;
  private final Path output;

  private SeedProgram(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Builds the program (once per JVM; seconds once Go's build cache holds etcd's client). */
  public static synchronized Path build() {
    if (binary != null) {
      return binary;
    }
    Path go = goBinary().orElseThrow(() -> new AssertionError("no Go 1.26 or newer found: " + INSTALL_HINT));
    try {
      Path module = Files.createTempDirectory("registrar-go-");
      for (String source : SOURCES) {
        try (InputStream in = SeedProgram.class.getResourceAsStream("/go/" + PACKAGE + "/" + source)) {
          Files.copy(in, module.resolve(source));
        }
      }
      Path out = module.resolve(PACKAGE);
      ProcessBuilder builder = new ProcessBuilder(go.toString(), "build", "-o", out.toString(), ".")
          .directory(module.toFile()).redirectErrorStream(true).redirectOutput(module.resolve("build.log").toFile());
      // go.sum pins every module: nothing is resolved anew, and a go.mod that needs a newer Go fails
      // instead of fetching a toolchain.
      builder.environment().put("GOFLAGS", "-mod=readonly -buildvcs=false");
      builder.environment().put("GOTOOLCHAIN", "local");
      Process build = builder.start();
      if (!build.waitFor(5, TimeUnit.MINUTES) || build.exitValue() != 0) {
        build.destroyForcibly();
        throw new AssertionError("go build of " + PACKAGE + " failed (" + INSTALL_HINT + "):\n"
            + Files.readString(module.resolve("build.log")));
      }
      binary = out;
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The first Go of 1.26 or newer: the preinstalled one, then PATH (Debian's golang-go is 1.19). */
  private static Optional<Path> goBinary() {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/local/go/bin/go")));
    for (String dir : Optional.ofNullable(System.getenv("PATH")).orElse("").split(":")) {
      if (!dir.isBlank()) {
        candidates.add(Path.of(dir, "go"));
      }
    }
    return candidates.stream().filter(Files::isExecutable).filter(SeedProgram::isRecentEnough).findFirst();
  }

  private static boolean isRecentEnough(Path go) {
    try {
      Process version = new ProcessBuilder(go.toString(), "version").redirectErrorStream(true).start();
      String said = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Matcher matcher = Pattern.compile("go1\\.(\\d+)").matcher(said);
      return version.waitFor() == 0 && matcher.find() && Integer.parseInt(matcher.group(1)) >= 26;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code registrar-seed register}: the key under a lease it keeps alive; SIGTERM revokes it. */
  public static SeedProgram register(String endpoints, String key, String value, int ttlSeconds, Path dir) {
    return start(dir, "register", "-endpoints", endpoints, "-key", key, "-value", value, "-ttl", Integer.toString(ttlSeconds));
  }

  /** {@code registrar-seed discover}: Get, then Watch from revision + 1; one line per change. */
  public static SeedProgram discover(String endpoints, String prefix, Path dir) {
    return start(dir, "discover", "-endpoints", endpoints, "-prefix", prefix);
  }

  private static SeedProgram start(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of(build().toString()));
    command.addAll(List.of(args));
    try {
      Path output = Files.createTempFile(dir, "registrar-seed-" + args[0] + "-", ".out");
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      return new SeedProgram(process, output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything it printed so far. */
  public String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<String> lines() {
    return output().lines().toList();
  }

  /** The first group of {@code regex} in the output, once it appears; fails after {@code within}. */
  public String await(String regex, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
    while (true) {
      Matcher matcher = pattern.matcher(output());
      if (matcher.find()) {
        return matcher.groupCount() > 0 ? matcher.group(1) : matcher.group();
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("registrar-seed never printed " + regex + (process.isAlive() ? "" : " (it exited)")
            + ":\n" + output());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  public void sigterm() {
    process.destroy(); // SIGTERM on Linux
  }

  public void sigkill() {
    process.destroyForcibly();
  }

  public Optional<Integer> awaitExit(Duration within) {
    try {
      return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(process.exitValue()) : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
