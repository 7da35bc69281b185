package dev.registrar.examples.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer's own Maven project, outside this build: it imports registrar-bom, depends on
 * registrar-client without a version, compiles against it, and must resolve exactly the jetcd,
 * Vert.x, Netty, gRPC and Jackson versions this build tests with (read from this test's own
 * classpath). The artifacts are installed into the local repository first, as `mvn install` would.
 */
class ConsumerBuildIT {

  static final Path ROOT = Path.of(System.getProperty("registrar.root", "../..")).toAbsolutePath().normalize();
  static final String VERSION = System.getProperty("registrar.version", "0.1.0-SNAPSHOT");
  static final Set<String> PINNED_GROUPS = Set.of("io.etcd", "io.vertx", "io.netty", "io.grpc",
      "com.fasterxml.jackson.core");

  @TempDir
  Path dir;

  @Test
  void aConsumerProjectImportingTheBomResolvesTheTestedVersions() throws Exception {
    Path clientJar = ROOT.resolve("client/target/registrar-client-" + VERSION + ".jar");
    assertThat(clientJar).withFailMessage("%s was not built", clientJar).exists();
    maven(ROOT, "org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file",
        "-Dfile=" + ROOT.resolve("pom.xml"), "-DpomFile=" + ROOT.resolve("pom.xml"), "-Dpackaging=pom");
    maven(ROOT, "org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file",
        "-Dfile=" + ROOT.resolve("bom/pom.xml"), "-DpomFile=" + ROOT.resolve("bom/pom.xml"), "-Dpackaging=pom");
    maven(ROOT, "org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file",
        "-Dfile=" + clientJar, "-DpomFile=" + ROOT.resolve("client/pom.xml"));

    Path project = dir.resolve("consumer");
    Files.createDirectories(project.resolve("src/main/java/example"));
    Files.writeString(project.resolve("pom.xml"), """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>example</groupId>
          <artifactId>consumer</artifactId>
          <version>1</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>
          <dependencyManagement>
            <dependencies>
              <dependency>
                <groupId>dev.registrar</groupId>
                <artifactId>registrar-bom</artifactId>
                <version>%s</version>
                <type>pom</type>
                <scope>import</scope>
              </dependency>
            </dependencies>
          </dependencyManagement>
          <dependencies>
            <dependency>
              <groupId>dev.registrar</groupId>
              <artifactId>registrar-client</artifactId>
            </dependency>
          </dependencies>
        </project>
        """.formatted(VERSION));
    Files.writeString(project.resolve("src/main/java/example/Consumer.java"), """
        package example;

        import dev.registrar.client.RegistryPrefix;
        import dev.registrar.client.ServiceDiscovery;
        import io.etcd.jetcd.Client;

        public class Consumer {
          public static ServiceDiscovery watch(Client client) {
            return ServiceDiscovery.watch(client, RegistryPrefix.DEFAULT, "orders");
          }
        }
        """);
    Path list = dir.resolve("dependencies.txt");
    maven(project, "compile", "org.apache.maven.plugins:maven-dependency-plugin:3.11.0:list",
        "-DoutputFile=" + list, "-DincludeScope=runtime");

    Map<String, String> resolved = artifacts(Files.readString(list));
    Map<String, String> tested = testedVersions();
    System.out.println("consumer resolved: " + resolved);
    assertThat(resolved).containsKeys("io.etcd:jetcd-core", "io.vertx:vertx-core", "io.netty:netty-common",
        "com.fasterxml.jackson.core:jackson-databind");
    resolved.forEach((artifact, version) -> {
      if (PINNED_GROUPS.contains(artifact.substring(0, artifact.indexOf(':'))) && tested.containsKey(artifact)) {
        assertThat(version).as("%s in the consumer project", artifact).isEqualTo(tested.get(artifact));
      }
    });
    assertThat(resolved.entrySet().stream().filter(e -> e.getKey().startsWith("io.netty:"))
        .map(Map.Entry::getValue).distinct()).as("Netty versions").hasSize(1);
  }

  /** group:artifact to version, from dependency:list output ("  g:a:jar:v:scope -- module ..."). */
  static Map<String, String> artifacts(String listing) {
    Map<String, String> artifacts = new TreeMap<>();
    Matcher m = Pattern.compile("^\\s*([^:\\s]+):([^:\\s]+):jar:([^:\\s]+):(compile|runtime)", Pattern.MULTILINE)
        .matcher(listing);
    while (m.find()) {
      artifacts.put(m.group(1) + ":" + m.group(2), m.group(3));
    }
    return artifacts;
  }

  /** The versions on this test's own classpath: what the build resolved and tests with. */
  static Map<String, String> testedVersions() {
    Map<String, String> versions = new TreeMap<>();
    Pattern jar = Pattern.compile(".*/repository/(.+)/([^/]+)/([^/]+)/\\2-\\3\\.jar$");
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Matcher m = jar.matcher(entry.replace('\\', '/'));
      if (m.matches()) {
        versions.put(m.group(1).replace('/', '.') + ":" + m.group(2), m.group(3));
      }
    }
    return versions;
  }

  private static void maven(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-B", "-q"));
    command.addAll(List.of(args));
    Path log = Files.createTempFile("registrar-consumer-build-", ".log");
    Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 5 minutes");
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).withFailMessage("%s failed:%n%s", String.join(" ", command), output).isZero();
  }
}
