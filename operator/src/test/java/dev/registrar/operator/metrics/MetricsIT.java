package dev.registrar.operator.metrics;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.testing.OperatorFixture;
import dev.registrar.testing.etcd.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /metrics, scraped as Prometheus would, moves with real events. */
class MetricsIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final Duration WAIT = Duration.ofSeconds(20);

  static String scrape(int port) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return response.body();
  }

  /** The value of the first sample whose name and labels start with {@code series}, or 0. */
  static double value(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "[^ ]* ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void countersAndHistogramsFollowRealEvents() throws Exception {
    try (OperatorFixture fixture = OperatorFixture.start(ETCD, "--cluster-name", "test")) {
      int port = fixture.operator().httpPort();
      Map<String, String> app = Map.of("app", "metered");
      fixture.client.resource(pod("shop", "m-1", "10.11.0.1", app, true)).create();
      fixture.client.resource(registration("shop", "metered", "metered", app, PortSpec.number("http", 80))).create();
      fixture.awaitReady("shop", "metered", "True", "Synced", WAIT);
      await().atMost(WAIT).untilAsserted(() -> {
        String metrics = scrape(port);
        assertThat(value(metrics, "registrar_registered_endpoints{name=\"metered\",namespace=\"shop\"")).isEqualTo(1);
        assertThat(value(metrics, "registrar_etcd_operation_seconds_count{operation=\"txn\"")).isPositive();
        assertThat(value(metrics, "operator_sdk_reconciliations_success_total")).isPositive();
        assertThat(metrics).contains("jvm_memory_used_bytes");
      });

      // A Pod turns ready now: readiness-to-registration is measured.
      Pod late = pod("shop", "m-2", "10.11.0.2", app, true);
      late.getStatus().getConditions().get(0).setLastTransitionTime(Instant.now().toString());
      fixture.client.resource(late).create();
      await().atMost(WAIT).untilAsserted(() -> {
        String metrics = scrape(port);
        assertThat(value(metrics, "registrar_registered_endpoints{name=\"metered\",namespace=\"shop\"")).isEqualTo(2);
        assertThat(value(metrics, "registrar_readiness_to_registration_seconds_count{change=\"registered\"")).isEqualTo(1);
      });
      // ...and turns unready: so is deregistration.
      fixture.client.pods().inNamespace("shop").withName("m-2").editStatus(p -> {
        p.getStatus().getConditions().forEach(c -> {
          c.setStatus("False");
          c.setLastTransitionTime(Instant.now().toString());
        });
        return p;
      });
      await().atMost(WAIT).untilAsserted(() -> assertThat(value(scrape(port),
          "registrar_readiness_to_registration_seconds_count{change=\"deregistered\"")).isEqualTo(1));

      // Drift, and a lease revoked behind the operator's back.
      // The operator's own writes so far never counted as drift (they are known as its own even
      // when the watch reports them before the write's call returned).
      double drift = value(scrape(port), "registrar_drift_repairs_total");
      assertThat(drift).isZero();
      ETCD.client().getKVClient().delete(ByteSequence.from("/services/metered/10.11.0.1:80", UTF_8)).get(5, TimeUnit.SECONDS);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(value(scrape(port), "registrar_drift_repairs_total")).isEqualTo(drift + 1);
        assertThat(fixture.etcd.value("/services/metered/10.11.0.1:80")).isPresent();
      });
      ETCD.client().getLeaseClient().revoke(fixture.lease("shop", "metered")).get(5, TimeUnit.SECONDS);
      await().atMost(WAIT).untilAsserted(() -> assertThat(value(scrape(port), "registrar_lease_regrants_total")).isEqualTo(1));

      // A conflict.
      fixture.client.resource(registration("other", "metered", "metered", app, PortSpec.number("http", 80))).create();
      await().atMost(WAIT).untilAsserted(() -> assertThat(value(scrape(port), "registrar_conflicts_total")).isEqualTo(1));

      // Deleted: its gauge goes.
      fixture.client.resources(dev.registrar.operator.customresource.ServiceRegistration.class)
          .inNamespace("shop").withName("metered").delete();
      await().atMost(WAIT).untilAsserted(() -> assertThat(scrape(port))
          .doesNotContain("registrar_registered_endpoints{name=\"metered\",namespace=\"shop\""));
    }
  }
}
