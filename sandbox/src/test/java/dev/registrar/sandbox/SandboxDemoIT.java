package dev.registrar.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.ControlPlane;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sandbox --demo}, run from the built jar as a user runs it: on the real control plane
 * (what it picks once scripts/control-plane.sh has built it), and on the mock server.
 */
class SandboxDemoIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  /**
   * The demo on two clusters (two real control planes, two operators, one etcd): the single
   * cluster's six steps run on the first, then one service fed by both and the second's operator
   * killed.
   */
  @Test
  void theDemoWalksThroughEveryStepOnTwoRealControlPlanesAndExitsZero() {
    ControlPlane.locate(); // fails with the build command when it is not built
    try (SandboxProcess demo = SandboxProcess.start("--demo", "--clusters", "2")) {
      var code = demo.awaitExit(Duration.ofSeconds(180));
      String out = demo.output();
      System.out.println(out);
      assertThat(code).as(out).contains(0);
      assertThat(out).contains(
          "Kubernetes API: the real control plane, Kubernetes v",
          "cluster sandbox-1  Kubernetes API https://",
          "cluster sandbox-2  Kubernetes API https://",
          "Step 1/7: create ServiceRegistration \"web\"",
          "etcd + /registrar/claims/web",
          "status Ready=True (Synced): 3 endpoints registered under lease",
          "ok: 3 keys, one per ready pod, all on the registration's one lease",
          "Step 2/7: pod web-2 stops being ready",
          "ok: web-2's key deleted at once",
          "Step 3/7: delete pod web-3",
          "Step 4/7: change the registration's weight from 100 to 50",
          "\"weight\":50",
          "Step 5/7: a Deployment rolled with the readiness gate",
          "fewest endpoints seen: 3 (replicas: 3)",
          "ok: endpoints never below the 3 replicas, and the registry ends with exactly the 3 new Pods",
          "Step 6/7: delete the registration",
          "etcd - /registrar/claims/web",
          ": revoked",
          "Step 7/7: one service fed by two clusters (clusterSet: Shared in sandbox-1 and sandbox-2), then "
              + "sandbox-2's operator killed",
          "status of default/cart in cluster sandbox-1: otherClusters [sandbox-2=2]",
          "cluster sandbox-2's operator stopped as a crash stops it (its lease is not revoked)",
          "cluster sandbox-1's 2 keys untouched (same value and ModRevision)",
          "ok: both clusters' keys under one service; the dead cluster's keys gone at their TTL, the other's untouched",
          "Demo passed: all 7 steps held.");
      assertThat(out.lines().filter(l -> l.matches("  etcd   /services/cart/10\\.244\\.[0-9]+\\.[0-9]+:8080  \\(cluster sandbox-1\\)")))
          .hasSize(2);
      assertThat(out.lines().filter(l -> l.matches("  etcd   /services/cart/10\\.244\\.1[0-9]\\.[0-9]+:8080  \\(cluster sandbox-2\\)")))
          .as("the second cluster's Pods have IPs of their own").hasSize(2);
      // The rollout, as printed: each of the 3 new Pods' keys added, each old one removed.
      assertThat(out.lines().filter(l -> l.matches(" +[0-9.]+ s  etcd \\+ /services/orders/.*"))).hasSize(3);
      assertThat(out.lines().filter(l -> l.matches(" +[0-9.]+ s  etcd - /services/orders/.*"))).hasSize(3);
      assertThat(out.lines().filter(l -> l.startsWith("  etcd + /services/web/"))).hasSize(3);
      assertThat(out).doesNotContain("FAILED");
      // Everything the sandbox made is gone.
      assertThat(Path.of(demo.find("sandbox files +(\\S+)"))).doesNotExist();
      assertThat(Path.of(demo.find("data in (\\S+)\\)"))).doesNotExist();
    }
  }

  @Test
  void onTheMockServerAStepWhoseExpectationDoesNotHoldFailsTheDemoWithExitCodeOne() throws Exception {
    // Another cluster already holds the service name "web" in this etcd: the registration gets
    // Conflict and writes nothing, so step 1 cannot hold.
    ETCD.client().getKVClient().put(bytes("/registrar/claims/web"),
        bytes("{\"cluster\":\"elsewhere\",\"namespace\":\"shop\",\"name\":\"web\",\"uid\":\"1234\"}"))
        .get(5, TimeUnit.SECONDS);
    try (SandboxProcess demo = SandboxProcess.start("--demo", "--api", "mock",
        "--etcd-endpoints", ETCD.endpointList())) {
      var code = demo.awaitExit(Duration.ofSeconds(90));
      String out = demo.output();
      System.out.println(out);
      assertThat(code).as(out).contains(SandboxMain.EXIT_DEMO_FAILED);
      assertThat(out).contains("Kubernetes API: fabric8's mock server (--api mock)", "(given with --etcd-endpoints)", "status Ready=False (Conflict)",
          "FAILED: expected 3 keys", "Demo FAILED at step 1 of 5.");
      assertThat(Files.exists(Path.of(demo.find("sandbox files +(\\S+)")))).isFalse();
    } finally {
      ETCD.client().getKVClient().delete(bytes("/registrar/claims/web")).get(5, TimeUnit.SECONDS);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
