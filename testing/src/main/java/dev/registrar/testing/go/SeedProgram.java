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

  static final String INSTALL_HINT = "the Go interop tests build a real Go program with etcd's own client: "
      + "install both with 'apt-get install -y golang-go golang-etcd-server-dev'";
  static final Path GOCODE = Path.of("/usr/share/gocode");
  private static final String PACKAGE = "registrar-seed";

  private static Path binary;

  private final Process process;
  private final Path output;

  private SeedProgram(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Builds the program (once per JVM; about 15 s on 2 cores the first time). */
  public static synchronized Path build() {
    if (binary != null) {
      return binary;
    }
    Path go = goBinary().orElseThrow(() -> new AssertionError("go is not installed: " + INSTALL_HINT));
    if (!Files.isDirectory(GOCODE.resolve("src/go.etcd.io/etcd/clientv3"))) {
      throw new AssertionError("etcd's Go client is missing from " + GOCODE + ": " + INSTALL_HINT);
    }
    try {
      Path gopath = Files.createTempDirectory("registrar-go-");
      Path source = Files.createDirectories(gopath.resolve("src").resolve(PACKAGE));
      try (InputStream main = SeedProgram.class.getResourceAsStream("/go/src/" + PACKAGE + "/main.go")) {
        Files.copy(main, source.resolve("main.go"));
      }
      Path out = gopath.resolve(PACKAGE);
      // The build cache outlives the run, so that the next build takes a second, not 15.
      Path cache = Path.of(System.getProperty("java.io.tmpdir"), "registrar-go-build-cache");
      ProcessBuilder builder = new ProcessBuilder(go.toString(), "build", "-o", out.toString(), PACKAGE)
          .redirectErrorStream(true).redirectOutput(gopath.resolve("build.log").toFile());
      builder.environment().put("GO111MODULE", "off");
      builder.environment().put("GOPATH", gopath + ":" + GOCODE);
      builder.environment().put("GOCACHE", cache.toString());
      builder.environment().put("GOFLAGS", "");
      Process build = builder.start();
      if (!build.waitFor(3, TimeUnit.MINUTES) || build.exitValue() != 0) {
        build.destroyForcibly();
        throw new AssertionError("go build of " + PACKAGE + " failed:\n" + Files.readString(gopath.resolve("build.log")));
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

  private static Optional<Path> goBinary() {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("") + ":/usr/bin:/usr/lib/go/bin";
    for (String dir : path.split(":")) {
      if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "go"))) {
        return Optional.of(Path.of(dir, "go"));
      }
    }
    return Optional.empty();
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
