package dev.registrar.operator.apiserver;

import static dev.registrar.operator.testing.TestObjects.pod;
import static dev.registrar.operator.testing.TestObjects.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import dev.registrar.testing.net.TcpProxy;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A watch the API server expires: on an API server of its own that serves watches straight from
 * its etcd (no watch cache) and compacts that etcd every 2 s, the operator's connection drops
 * (a proxy between them cuts it) while Pods change, and its Pod watch resumes from a compacted
 * resourceVersion: the API server answers 410 Gone, the informer lists again (the audit log
 * counts the lists), and no change made while it was away is lost.
 */
class WatchExpiryApiServerIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static final String AGENT = "registrar-under-test";
  static final String NAMESPACE = "expiry";

  @Test
  void aWatchResumedFromACompactedRevisionIsListedAgainAndNoChangeIsLost() {
    try (RealKubeApiServer api = RealKubeApiServer.startDedicated("--watch-cache=false", "--etcd-compaction-interval=2s");
         TcpProxy proxy = TcpProxy.inFrontOf(api.url().replace("https://", "http://"));
         KubernetesClient operatorClient = api.newClient(AGENT, proxy.url().replace("http://", "https://"))) {
      RealCluster.installCrd(api);
      api.namespace(NAMESPACE);
      KubernetesClient client = api.client();
      EtcdView etcd = new EtcdView(ETCD.client());
      Map<String, String> labels = Map.of("app", "expiry");
      KubeletStandIn.run(client, pod(NAMESPACE, "expiry-1", "10.71.0.1", labels, true));
      KubeletStandIn.run(client, pod(NAMESPACE, "expiry-2", "10.71.0.2", labels, true));
      client.resource(registration(NAMESPACE, "expiry", "expiry", labels, PortSpec.number("http", 8080))).create();
      try (RunningOperator operator = RunningOperator.start(operatorClient, ETCD.endpointList(),
          "--watch-namespaces", NAMESPACE, "--name-policy", "any", "--topology", "false")) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(etcd.values("/services/expiry/")).hasSize(2));
        String watchedFrom = podWatchRevision(api);
        long listsBefore = podLists(api);

        // The operator's connection drops; meanwhile a Pod turns unready, another starts, and the
        // API server compacts its etcd past the revision the Pod watch will resume from.
        proxy.cut();
        KubeletStandIn.setReady(client, NAMESPACE, "expiry-1", false);
        KubeletStandIn.run(client, pod(NAMESPACE, "expiry-3", "10.71.0.3", labels, true));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
            .until(() -> isCompacted(client, watchedFrom));
        proxy.restore();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(etcd.values("/services/expiry/"))
            .containsOnlyKeys("/services/expiry/10.71.0.2:8080", "/services/expiry/10.71.0.3:8080"));
        // The audit log is written as requests complete, not in the order the informer acts on
        // them: wait for the relist's line, with a bound.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(podLists(api))
            .as("the Pod informer listed again after 410 Gone; its calls: %s",
                api.auditOfAgent(AGENT).stream().filter(e -> "pods".equals(e.resource()))
                    .map(e -> e.verb() + " " + e.code() + " " + e.uri()).toList())
            .isGreaterThan(listsBefore));
      }
    }
  }

  /** The resourceVersion the operator's Pod watch started from, as the audit log shows it. */
  private static String podWatchRevision(RealKubeApiServer api) {
    Pattern revision = Pattern.compile("[?&]resourceVersion=(\\d+)");
    return api.auditOfAgent(AGENT).stream().filter(e -> "pods".equals(e.resource()) && e.isWatch())
        .map(e -> revision.matcher(e.uri())).filter(Matcher::find).map(m -> m.group(1)).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no Pod watch of the operator in the audit log"));
  }

  /** Whether the API server answers 410 Gone to a read at exactly {@code revision}. */
  private static boolean isCompacted(KubernetesClient client, String revision) {
    try {
      client.pods().inNamespace(NAMESPACE).list(new ListOptionsBuilder().withResourceVersion(revision)
          .withResourceVersionMatch("Exact").build());
      return false;
    } catch (KubernetesClientException e) {
      return e.getCode() == 410;
    }
  }

  /** The operator's lists of Pods so far: one at start, one more after each expired watch. */
  private static long podLists(RealKubeApiServer api) {
    return api.auditOfAgent(AGENT).stream().filter(e -> "pods".equals(e.resource()) && e.verb().equals("list")).count();
  }
}
