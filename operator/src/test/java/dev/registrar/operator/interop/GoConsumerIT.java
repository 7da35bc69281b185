package dev.registrar.operator.interop;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.go.SeedProgram;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Go service of the seed article's pattern (etcd's own clientv3: Get, then Watch from
 * revision + 1) reads what the operator writes: version and weight, adds and deletes.
 */
class GoConsumerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  @Test
  void aGoConsumerFollowsTheOperatorsKeys() {
    SeedProgram.build();
    Map<String, String> labels = Map.of("app", "gosvc");
    try (OperatorFixture fixture = OperatorFixture.start(ETCD);
         SeedProgram consumer = SeedProgram.discover(ETCD.endpointList(), "/services/gosvc/", dir)) {
      consumer.await("(synced at revision \\d+)", WAIT);
      fixture.client.resource(pod("shop", "gosvc-1", "10.40.0.1", labels, true)).create();
      fixture.client.resource(pod("shop", "gosvc-2", "10.40.0.2", labels, true)).create();
      ServiceRegistration registration = registration("shop", "gosvc", "gosvc", labels, PortSpec.number("http", 8080));
      registration.getSpec().setVersion("1.4.0");
      registration.getSpec().setWeight(30);
      fixture.client.resource(registration).create();

      consumer.await("(\\+ /services/gosvc/10\\.40\\.0\\.1:8080 version=1\\.4\\.0 weight=30)", WAIT);
      consumer.await("(\\+ /services/gosvc/10\\.40\\.0\\.2:8080 version=1\\.4\\.0 weight=30)", WAIT);
      fixture.client.pods().inNamespace("shop").withName("gosvc-2").delete();
      consumer.await("(- /services/gosvc/10\\.40\\.0\\.2:8080)", WAIT);
      assertThat(consumer.lines()).filteredOn(line -> line.matches("^[-+!] .*"))
          .containsExactlyInAnyOrder(
              "+ /services/gosvc/10.40.0.1:8080 version=1.4.0 weight=30",
              "+ /services/gosvc/10.40.0.2:8080 version=1.4.0 weight=30",
              "- /services/gosvc/10.40.0.2:8080");
    }
  }
}
