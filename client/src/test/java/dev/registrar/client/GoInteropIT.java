package dev.registrar.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.go.SeedProgram;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry against a real Go program of the seed article's pattern (etcd's own clientv3):
 * what Go registers, Java discovers; what Java registers, Go discovers.
 */
class GoInteropIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir
  Path dir;

  @BeforeAll
  static void buildTheGoProgram() {
    SeedProgram.build();
  }

  @Test
  void javaDiscoversAGoRegisteredInstanceAndDropsItOnSigtermAtOnceAndOnSigkillWithinTheTtl() throws Exception {
    try (ServiceDiscovery discovery = ServiceDiscovery.watch(ETCD.client(), RegistryPrefix.DEFAULT, "goapp")) {
      assertThat(discovery.awaitInitialSync(WAIT)).isTrue();
      try (SeedProgram graceful = SeedProgram.register(ETCD.endpointList(), "/services/goapp/10.20.0.1:8080",
              "{\"version\":\"1.2.0\",\"weight\":100}", 5, dir);
           SeedProgram killed = SeedProgram.register(ETCD.endpointList(), "/services/goapp/10.20.0.2:8080",
              "{\"version\":\"1.3.0\",\"weight\":40}", 5, dir)) {
        graceful.await("registered .* lease ([0-9a-f]+)", WAIT);
        killed.await("registered .* lease ([0-9a-f]+)", WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(discovery.instances("goapp"))
            .extracting(ServiceInstance::endpoint, ServiceInstance::version, ServiceInstance::weight)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("10.20.0.1:8080", "1.2.0", 100),
                org.assertj.core.groups.Tuple.tuple("10.20.0.2:8080", "1.3.0", 40)));
        // Kept alive by Go past its TTL.
        await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(discovery.instances("goapp")).hasSize(2));

        long term = System.nanoTime();
        graceful.sigterm();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
            assertThat(discovery.instances("goapp")).extracting(ServiceInstance::endpoint).containsExactly("10.20.0.2:8080"));
        long termMs = (System.nanoTime() - term) / 1_000_000;
        assertThat(graceful.awaitExit(WAIT)).contains(0);

        long kill = System.nanoTime();
        killed.sigkill();
        await().atMost(Duration.ofSeconds(5 + 3)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
            assertThat(discovery.instances("goapp")).isEmpty());
        System.out.printf("go interop: Go instance gone from Java's view %d ms after SIGTERM, %d ms after SIGKILL (TTL 5 s)%n",
            termMs, (System.nanoTime() - kill) / 1_000_000);
      }
    }
  }

  @Test
  void goDiscoversWhatServiceRegistrarWritesAndFollowsAddsAndDeletes() throws Exception {
    try (SeedProgram discover = SeedProgram.discover(ETCD.endpointList(), "/services/javaapp/", dir)) {
      discover.await("(synced at revision \\d+)", WAIT);
      ServiceRegistrar registrar = new ServiceRegistrar(ETCD.client(), RegistryPrefix.DEFAULT, Duration.ofSeconds(15));
      registrar.register("javaapp", new EndpointValue("2.0.1", 250, "10.21.0.1", 9090, "grpc", null, null, null,
          Map.of("team", "x"), null)).get(10, TimeUnit.SECONDS);
      discover.await("(\\+ /services/javaapp/10\\.21\\.0\\.1:9090 version=2\\.0\\.1 weight=250)", WAIT);
      registrar.close();
      discover.await("(- /services/javaapp/10\\.21\\.0\\.1:9090)", WAIT);
      assertThat(discover.lines()).filteredOn(line -> line.startsWith("+") || line.startsWith("-") || line.startsWith("!"))
          .containsExactly("+ /services/javaapp/10.21.0.1:9090 version=2.0.1 weight=250",
              "- /services/javaapp/10.21.0.1:9090");
    }
  }
}
