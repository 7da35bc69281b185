package dev.registrar.operator.apiserver;

import static org.awaitility.Awaitility.await;

import dev.registrar.operator.RepoPaths;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.nio.file.Path;
import java.time.Duration;

/** What the real-API-server tests share: the CRD as users install it. */
public final class RealCluster {

  static final Path CRD = RepoPaths.repositoryRoot().resolve("crds/serviceregistrations.registrar.dev-v1.yml");
  static final String CRD_NAME = "serviceregistrations.registrar.dev";

  private RealCluster() {}

  /** {@code kubectl apply -f crds/} (idempotent), then waits until the API server serves it. */
  public static synchronized void installCrd(RealKubeApiServer api) {
    api.kubectl("apply", "--server-side", "--force-conflicts", "-f", CRD.toString()).ok();
    await().atMost(Duration.ofSeconds(30)).until(() -> established(api));
    // Discovery lags the Established condition by a moment; kubectl and informers need both.
    await().atMost(Duration.ofSeconds(30)).until(() -> api.kubectl("get", "svcreg", "-A").exit() == 0);
  }

  private static boolean established(RealKubeApiServer api) {
    CustomResourceDefinition crd = api.client().apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get();
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
