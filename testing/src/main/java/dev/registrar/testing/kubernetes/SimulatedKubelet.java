package dev.registrar.testing.kubernetes;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet (and the scheduler's binding step) for Nodes that run no containers: what makes a
 * Deployment's Pods Running and Ready on a control plane without kubelets, following kubelet's
 * rules ({@link KubeletRules}) rather than approximating them.
 * <ul>
 *   <li>It registers its Nodes, each with a zone label and a Pod IP range of its own
 *       ({@code 10.244.<n>.0/24}).</li>
 *   <li>It binds every unscheduled Pod to the schedulable Node (not cordoned, matching the Pod's
 *       nodeSelector) that runs the fewest Pods, through the binding subresource as kube-scheduler
 *       does.</li>
 *   <li>A bound Pod's containers start after {@link Options#startDelay}: the Pod turns Running
 *       with an IP from its Node's range, {@code ContainersReady} True (unless annotated
 *       {@value KubeletRules#READY_ANNOTATION}: "false"), and {@code Ready} True only when every
 *       readiness gate is True too, recomputed on every change of the Pod.</li>
 *   <li>A deleted Pod (deletionTimestamp set) turns unready at once, and is removed for good
 *       (grace period 0, as kubelet's status manager does) when its containers have stopped:
 *       after {@link Options#stopDelay}, or its grace period if shorter.</li>
 * </ul>
 * Informer callbacks only hand work to one thread; every write is an update with the
 * resourceVersion it was computed from, so a condition someone else wrote meanwhile (a readiness
 * gate) is never overwritten: the write conflicts and the next event computes it again.
 */
public final class SimulatedKubelet implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatedKubelet.class);
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

  /** A Node this kubelet runs: its name, zone and the index of its IP range. */
  public record NodeSpec(String name, String zone, int index) {
    String podCidr() {
      return "10.244." + index + ".0/24";
    }

    String hostIp() {
      return "10.0.0." + (index + 1);
    }

    String podIp(int n) {
      return "10.244." + index + "." + (n % 250 + 2);
    }
  }

  /**
   * @param startDelay from binding to containers started and ready
   * @param stopDelay from deletion to containers stopped (capped by the Pod's grace period)
   * @param binding true on a real API server (the binding subresource); false on fabric8's mock
   *     server, which has none, so the kubelet sets spec.nodeName itself
   */
  public record Options(Duration startDelay, Duration stopDelay, boolean binding) {
    public static Options realApiServer(Duration startDelay, Duration stopDelay) {
      return new Options(startDelay, stopDelay, true);
    }
  }

  private final KubernetesClient client;
  private final Options options;
  private final Map<String, NodeSpec> nodes = new LinkedHashMap<>();
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "simulated-kubelet");
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, String> ips = new ConcurrentHashMap<>();
  // Pods bound here whose binding the informer has not shown yet, by UID: counted on their Node,
  // as kube-scheduler's "assumed" Pods are, or two Pods bound back to back would land together.
  private final Map<String, String> assumed = new ConcurrentHashMap<>();
  private final Map<String, Integer> allocated = new ConcurrentHashMap<>();
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final Set<String> starting = ConcurrentHashMap.newKeySet();
  private final Set<String> stopping = ConcurrentHashMap.newKeySet();
  private SharedIndexInformer<Pod> informer;
  private SharedIndexInformer<Node> nodeInformer;

  private SimulatedKubelet(KubernetesClient client, Options options, List<NodeSpec> nodes) {
    this.client = client;
    this.options = options;
    nodes.forEach(node -> this.nodes.put(node.name(), node));
  }

  /** Registers {@code nodes} and starts running the Pods of the whole cluster on them. */
  public static SimulatedKubelet start(KubernetesClient client, Options options, List<NodeSpec> nodes) {
    SimulatedKubelet kubelet = new SimulatedKubelet(client, options, nodes);
    nodes.forEach(kubelet::register);
    kubelet.nodeInformer = client.nodes().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        kubelet.executor.execute(kubelet::scheduleWaiting);
      }

      @Override
      public void onUpdate(Node old, Node node) {
        kubelet.executor.execute(kubelet::scheduleWaiting);
      }

      @Override
      public void onDelete(Node node, boolean finalStateUnknown) {
        // Pods bound to a deleted Node are the garbage collector's (pod GC), which does not run here.
      }
    });
    kubelet.informer = client.pods().inAnyNamespace().inform(kubelet.handler());
    return kubelet;
  }

  /** Nodes {@code <prefix>-1 … -n}, spread over {@code zones} in turn. */
  public static List<NodeSpec> nodes(String prefix, int count, String... zones) {
    return nodes(prefix, count, 0, zones);
  }

  /**
   * The same, their IP ranges numbered from {@code firstIndex} ({@code 10.244.<firstIndex>.0/24}
   * on): another cluster's Nodes, whose Pods must not get the same IPs.
   */
  public static List<NodeSpec> nodes(String prefix, int count, int firstIndex, String... zones) {
    return java.util.stream.IntStream.range(0, count)
        .mapToObj(i -> new NodeSpec(prefix + "-" + (i + 1), zones[i % zones.length], firstIndex + i)).toList();
  }

  private ResourceEventHandler<Pod> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        executor.execute(() -> sync(Cache.metaNamespaceKeyFunc(pod)));
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        executor.execute(() -> sync(Cache.metaNamespaceKeyFunc(pod)));
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        String uid = pod.getMetadata().getUid();
        ips.remove(uid);
        assumed.remove(uid);
        started.remove(uid);
        starting.remove(uid);
        stopping.remove(uid);
      }
    };
  }

  private void register(NodeSpec spec) {
    Node node = client.nodes().withName(spec.name()).get();
    if (node == null) {
      node = client.resource(new NodeBuilder().withNewMetadata().withName(spec.name())
          .addToLabels(ZONE_LABEL, spec.zone()).addToLabels("kubernetes.io/hostname", spec.name()).endMetadata()
          .withNewSpec().withPodCIDR(spec.podCidr()).withPodCIDRs(spec.podCidr()).endSpec().build()).create();
    }
    String now = Instant.now().toString();
    client.nodes().withName(spec.name()).editStatus(n -> new NodeBuilder(n).withNewStatus()
        .withConditions(new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
            .withMessage("simulated kubelet is posting ready status").withLastHeartbeatTime(now)
            .withLastTransitionTime(now).build())
        .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(spec.hostIp()).build(),
            new NodeAddressBuilder().withType("Hostname").withAddress(spec.name()).build())
        .addToCapacity("pods", new io.fabric8.kubernetes.api.model.Quantity("110"))
        .addToAllocatable("pods", new io.fabric8.kubernetes.api.model.Quantity("110"))
        .endStatus().build());
  }

  private void sync(String key) {
    Pod pod = informer.getStore().getByKey(key);
    if (pod == null) {
      return;
    }
    try {
      String nodeName = pod.getSpec().getNodeName();
      if (nodeName == null) {
        if (pod.getMetadata().getDeletionTimestamp() == null) {
          schedule(pod);
        }
      } else if (nodes.containsKey(nodeName)) {
        run(pod, nodes.get(nodeName));
      }
    } catch (KubernetesClientException e) {
      // A conflict (someone wrote the Pod meanwhile) or a Pod gone: its next event brings it back.
      LOG.debug("Pod {} not synced: {}", key, e.getMessage());
    }
  }

  /** A Node uncordoned or added: Pods that found no Node may find one now. */
  private void scheduleWaiting() {
    if (informer == null) {
      return;
    }
    informer.getStore().list().stream().filter(pod -> pod.getSpec().getNodeName() == null)
        .forEach(pod -> sync(Cache.metaNamespaceKeyFunc(pod)));
  }

  private void schedule(Pod pod) {
    Optional<NodeSpec> node = pickNode(pod);
    if (node.isEmpty()) {
      LOG.info("Pod {}/{}: no schedulable Node", pod.getMetadata().getNamespace(), pod.getMetadata().getName());
      return;
    }
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    if (options.binding()) {
      client.bindings().inNamespace(namespace).resource(new BindingBuilder()
          .withNewMetadata().withName(name).withNamespace(namespace).withUid(pod.getMetadata().getUid()).endMetadata()
          .withNewTarget().withApiVersion("v1").withKind("Node").withName(node.get().name()).endTarget()
          .build()).create();
      assumed.put(pod.getMetadata().getUid(), node.get().name());
    } else {
      client.pods().inNamespace(namespace).withName(name)
          .edit(p -> new PodBuilder(p).editSpec().withNodeName(node.get().name()).endSpec().build());
    }
  }

  /** The schedulable Node matching the Pod's nodeSelector that runs the fewest Pods. */
  private Optional<NodeSpec> pickNode(Pod pod) {
    Map<String, String> selector = Optional.ofNullable(pod.getSpec().getNodeSelector()).orElse(Map.of());
    Map<String, Long> load = new java.util.HashMap<>();
    for (Pod other : informer.getStore().list()) {
      String bound = other.getSpec().getNodeName() != null ? other.getSpec().getNodeName()
          : assumed.get(other.getMetadata().getUid());
      if (bound != null) {
        load.merge(bound, 1L, Long::sum);
      }
    }
    return nodes.values().stream()
        .filter(spec -> {
          Node node = nodeInformer.getStore().getByKey(spec.name());
          return node != null && !Boolean.TRUE.equals(node.getSpec().getUnschedulable())
              && selector.entrySet().stream().allMatch(e -> e.getValue().equals(node.getMetadata().getLabels().get(e.getKey())));
        })
        .min(Comparator.comparingLong((NodeSpec spec) -> load.getOrDefault(spec.name(), 0L)).thenComparing(NodeSpec::index));
  }

  private void run(Pod pod, NodeSpec node) {
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      terminate(pod, node);
      return;
    }
    if (!started.contains(uid)) {
      if (starting.add(uid)) {
        String key = Cache.metaNamespaceKeyFunc(pod);
        executor.schedule(() -> {
          started.add(uid);
          sync(key);
        }, options.startDelay().toMillis(), TimeUnit.MILLISECONDS);
      }
      return;
    }
    String ip = ips.computeIfAbsent(uid, u -> Optional.ofNullable(pod.getStatus()).map(PodStatus::getPodIP)
        .orElseGet(() -> node.podIp(allocated.merge(node.name(), 1, Integer::sum) - 1)));
    write(pod, KubeletRules.running(pod, node.hostIp(), ip, Instant.now()));
  }

  /** Containers stop: the Pod is unready at once, and removed once they have stopped. */
  private void terminate(Pod pod, NodeSpec node) {
    if (started.contains(pod.getMetadata().getUid()) && pod.getStatus() != null && pod.getStatus().getPodIP() != null) {
      write(pod, KubeletRules.running(pod, node.hostIp(), pod.getStatus().getPodIP(), Instant.now()));
    }
    if (stopping.add(pod.getMetadata().getUid())) {
      long grace = Optional.ofNullable(pod.getMetadata().getDeletionGracePeriodSeconds()).orElse(30L);
      long delay = Math.min(options.stopDelay().toMillis(), TimeUnit.SECONDS.toMillis(grace));
      String namespace = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      String uid = pod.getMetadata().getUid();
      executor.schedule(() -> remove(namespace, name, uid), delay, TimeUnit.MILLISECONDS);
    }
  }

  private void remove(String namespace, String name, String uid) {
    try {
      Pod pod = client.pods().inNamespace(namespace).withName(name).get();
      if (pod != null && uid.equals(pod.getMetadata().getUid())) {
        client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
      }
    } catch (KubernetesClientException e) {
      LOG.debug("Pod {}/{} not removed: {}", namespace, name, e.getMessage());
    }
  }

  private void write(Pod pod, PodStatus desired) {
    if (!KubeletRules.changed(pod.getStatus(), desired)) {
      return;
    }
    Pod updated = new PodBuilder(pod).withStatus(desired).build();
    client.resource(updated).updateStatus();
    LOG.debug("Pod {}/{}: {} on {}, ContainersReady={}, Ready={}", pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(), desired.getPhase(), desired.getPodIP(),
        KubeletRules.conditionStatus(desired, "ContainersReady"), KubeletRules.conditionStatus(desired, "Ready"));
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    if (nodeInformer != null) {
      nodeInformer.close();
    }
    executor.shutdownNow();
  }
}
