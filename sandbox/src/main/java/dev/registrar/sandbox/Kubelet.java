package dev.registrar.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the kubelet for bare Pods on the mock API server, which runs no controllers: a new Pod
 * is scheduled on one node, gets an IP, and becomes Running and Ready shortly after creation.
 * The annotation {@value #READY_ANNOTATION}{@code : "false"} keeps it (or makes it) unready, so
 * that readiness can be flipped with kubectl annotate.
 */
final class Kubelet implements AutoCloseable {

  static final String READY_ANNOTATION = "sandbox.registrar.dev/ready";
  static final String NODE = "sandbox-node";
  /** Containers "start" this long after the Pod is created. */
  static final Duration STARTUP = Duration.ofMillis(300);

  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);

  private final KubernetesClient client;
  // Informer callbacks only hand work to this thread; API calls never run on the informer's.
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "sandbox-kubelet");
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, String> ips = new ConcurrentHashMap<>();
  private final AtomicInteger allocated = new AtomicInteger();
  private SharedIndexInformer<Pod> informer;

  Kubelet(KubernetesClient client) {
    this.client = client;
  }

  void start() {
    informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        executor.schedule(() -> sync(pod), STARTUP.toMillis(), TimeUnit.MILLISECONDS);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        executor.execute(() -> sync(pod));
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        ips.remove(pod.getMetadata().getUid());
      }
    });
  }

  private void sync(Pod seen) {
    String namespace = seen.getMetadata().getNamespace();
    String name = seen.getMetadata().getName();
    try {
      Pod pod = client.pods().inNamespace(namespace).withName(name).get();
      if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      if (pod.getSpec().getNodeName() == null) {
        // Scheduling is a spec change; the update event brings the Pod back here for its status.
        client.pods().inNamespace(namespace).withName(name)
            .edit(p -> new PodBuilder(p).editSpec().withNodeName(NODE).endSpec().build());
        return;
      }
      String ip = ips.computeIfAbsent(pod.getMetadata().getUid(),
          uid -> Optional.ofNullable(pod.getStatus()).map(PodStatus::getPodIP).orElseGet(this::nextIp));
      PodStatus desired = status(pod, ip, Instant.now());
      if (needsUpdate(pod.getStatus(), desired)) {
        client.pods().inNamespace(namespace).withName(name)
            .editStatus(p -> new PodBuilder(p).withStatus(desired).build());
        LOG.info("Pod {}/{}: {} on {}, Ready={}", namespace, name, desired.getPhase(), ip, ready(desired));
      }
    } catch (KubernetesClientException e) {
      // A Pod deleted or changed meanwhile: its next event brings it back.
      LOG.debug("Pod {}/{} not synced: {}", namespace, name, e.getMessage());
    }
  }

  private String nextIp() {
    int n = allocated.getAndIncrement();
    return "10.244." + (n / 250) + "." + (n % 250 + 2);
  }

  /** What the kubelet reports for {@code pod}: Running on {@code ip}, Ready unless annotated otherwise. */
  static PodStatus status(Pod pod, String ip, Instant now) {
    Map<String, String> annotations = Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of());
    boolean ready = !"false".equalsIgnoreCase(annotations.getOrDefault(READY_ANNOTATION, "true").strip());
    PodStatus current = Optional.ofNullable(pod.getStatus()).orElseGet(PodStatus::new);
    String readyStatus = ready ? "True" : "False";
    // lastTransitionTime moves only when the condition flips.
    String since = current.getConditions() == null ? null : current.getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()) && readyStatus.equals(c.getStatus()))
        .map(PodCondition::getLastTransitionTime).findFirst().orElse(null);
    String timestamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
    String started = current.getStartTime() != null ? current.getStartTime() : timestamp;
    return new PodStatusBuilder()
        .withPhase("Running")
        .withHostIP("10.0.0.1")
        .withPodIP(ip)
        .withPodIPs(new PodIPBuilder().withIp(ip).build())
        .withStartTime(started)
        .withConditions(
            new PodConditionBuilder().withType("PodScheduled").withStatus("True")
                .withLastTransitionTime(started).build(),
            new PodConditionBuilder().withType("Ready").withStatus(readyStatus)
                .withReason(ready ? null : "SandboxAnnotation")
                .withMessage(ready ? null : READY_ANNOTATION + " is \"false\"")
                .withLastTransitionTime(since != null ? since : timestamp).build())
        .build();
  }

  /** Only what the kubelet decides counts, so that its own write does not trigger another. */
  static boolean needsUpdate(PodStatus current, PodStatus desired) {
    return current == null
        || !desired.getPhase().equals(current.getPhase())
        || !desired.getPodIP().equals(current.getPodIP())
        || ready(current) != ready(desired);
  }

  static boolean ready(PodStatus status) {
    return status.getConditions() != null && status.getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    executor.shutdownNow();
  }
}
