package dev.registrar.operator.rollout;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceDiscovery;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.testing.go.SeedProgram;
import dev.registrar.testing.kubernetes.KubeletRules;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches one service while its Deployment changes, the way users would judge it: the keys in
 * etcd (a watch), the Java {@link ServiceDiscovery} and the seed article's Go program as
 * consumers, and every Pod update on the Kubernetes side. It records what must never happen:
 * a Pod Ready while etcd lacks its key, a Pod gone while its key is still there, and the fewest
 * endpoints each consumer saw.
 */
final class RegistryObserver implements AutoCloseable {

  private final String service;
  private final int port;
  private final Set<String> keys = ConcurrentHashMap.newKeySet();
  private final Watch.Watcher etcdWatch;
  private final SharedIndexInformer<Pod> pods;
  private final ServiceDiscovery discovery;
  private final SeedProgram goConsumer;
  private final AtomicInteger fewestKeys = new AtomicInteger(Integer.MAX_VALUE);
  private final AtomicInteger fewestJava = new AtomicInteger(Integer.MAX_VALUE);
  private final List<String> readyAheadOfRegistry = new CopyOnWriteArrayList<>();
  private final List<String> keyOutlivedPod = new CopyOnWriteArrayList<>();
  private final Map<String, Long> containersReadyAt = new ConcurrentHashMap<>();
  private final Map<String, Long> gateTrueAt = new ConcurrentHashMap<>();
  private final Set<String> seenUnready = ConcurrentHashMap.newKeySet();

  /**
   * Starts observing {@code service} (keys {@code /services/<service>/<ip>:<port>}) and the Pods
   * labelled {@code app=<app>} in {@code namespace}.
   */
  RegistryObserver(Client etcd, String endpoints, KubernetesClient kubernetes, String namespace, String app,
      String service, int port, Path dir) throws Exception {
    this.service = service;
    this.port = port;
    String prefix = "/services/" + service + "/";
    var read = etcd.getKVClient().get(ByteSequence.from(prefix, UTF_8), GetOption.builder().isPrefix(true).build())
        .get(10, TimeUnit.SECONDS);
    read.getKvs().forEach(kv -> keys.add(kv.getKey().toString(UTF_8)));
    fewestKeys.set(keys.size());
    // Events are applied per response: a consumer sees a transaction's changes together.
    etcdWatch = etcd.getWatchClient().watch(ByteSequence.from(prefix, UTF_8),
        WatchOption.builder().isPrefix(true).withRevision(read.getHeader().getRevision() + 1).build(), response -> {
          for (WatchEvent event : response.getEvents()) {
            KeyValue kv = event.getKeyValue();
            if (event.getEventType() == WatchEvent.EventType.PUT) {
              keys.add(kv.getKey().toString(UTF_8));
            } else {
              keys.remove(kv.getKey().toString(UTF_8));
            }
          }
          fewestKeys.accumulateAndGet(keys.size(), Math::min);
        });
    discovery = ServiceDiscovery.watch(etcd, RegistryPrefix.DEFAULT, service);
    discovery.awaitInitialSync(Duration.ofSeconds(10));
    discovery.addListener(new ServiceDiscovery.Listener() {
      @Override
      public void synced(long revision) {
        fewestJava.accumulateAndGet(discovery.instances(service).size(), Math::min);
      }
    });
    goConsumer = SeedProgram.discover(endpoints, prefix, dir);
    goConsumer.await("synced at revision \\d+", Duration.ofSeconds(30));
    pods = kubernetes.pods().inNamespace(namespace).withLabel("app", app).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        check(pod);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        check(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip != null && keys.contains(key(ip))) {
          keyOutlivedPod.add(pod.getMetadata().getName() + " (" + key(ip) + ")");
        }
      }
    });
  }

  /** On every Pod update: a Ready Pod must have its key; and when ContainersReady and the gate turned True. */
  private void check(Pod pod) {
    String name = pod.getMetadata().getName();
    long now = System.nanoTime();
    // Only transitions seen here count: a Pod first seen already ready has no latency to give.
    if (!"True".equals(KubeletRules.conditionStatus(pod.getStatus(), "ContainersReady"))) {
      seenUnready.add(name);
    } else if (seenUnready.contains(name)) {
      containersReadyAt.putIfAbsent(name, now);
    }
    if ("True".equals(KubeletRules.conditionStatus(pod.getStatus(), PodReadiness.GATE))) {
      gateTrueAt.putIfAbsent(name, now);
    }
    if ("True".equals(KubeletRules.conditionStatus(pod.getStatus(), "Ready"))
        && pod.getMetadata().getDeletionTimestamp() == null && !keys.contains(key(pod.getStatus().getPodIP()))) {
      readyAheadOfRegistry.add(name + " (" + key(pod.getStatus().getPodIP()) + ")");
    }
  }

  String key(String ip) {
    return "/services/" + service + "/" + ip + ":" + port;
  }

  Set<String> keys() {
    return new TreeSet<>(keys);
  }

  /** From now on the fewest endpoints count again from what each consumer has now. */
  void resetFewest() {
    fewestKeys.set(keys.size());
    fewestJava.set(discovery.instances(service).size());
    goLinesSeen = goConsumer.lines().size();
  }

  private int goLinesSeen;

  /** What was seen since the last {@link #resetFewest()}. */
  Report report() {
    return new Report(fewestKeys.get(), fewestJava.get(), fewestGo(), List.copyOf(readyAheadOfRegistry),
        List.copyOf(keyOutlivedPod), gateLatenciesMillis());
  }

  /** The Go program prints "+ key …" and "- key" per event; replayed, the fewest keys it held. */
  private int fewestGo() {
    Set<String> held = new TreeSet<>();
    int fewest = Integer.MAX_VALUE;
    List<String> lines = goConsumer.lines();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("+ ")) {
        held.add(line.substring(2).split(" ")[0]);
      } else if (line.startsWith("- ")) {
        held.remove(line.substring(2).strip());
      }
      if (i >= goLinesSeen - 1 && i >= 0) {
        fewest = Math.min(fewest, held.size());
      }
    }
    return fewest;
  }

  /** ContainersReady → gate True, per Pod that had both, in milliseconds, sorted. */
  private List<Long> gateLatenciesMillis() {
    List<Long> latencies = new ArrayList<>();
    gateTrueAt.forEach((pod, gate) -> {
      Long ready = containersReadyAt.get(pod);
      if (ready != null) {
        latencies.add(TimeUnit.NANOSECONDS.toMillis(gate - ready));
      }
    });
    latencies.sort(null);
    return latencies;
  }

  /** What users would notice, since the last reset. */
  record Report(int fewestKeys, int fewestJava, int fewestGo, List<String> readyAheadOfRegistry,
      List<String> keyOutlivedPod, List<Long> gateMillis) {

    /** Fails, naming every breach, unless the registry never ran behind the rollout. */
    void assertHeld(int replicas) {
      List<String> breaches = new ArrayList<>();
      if (fewestKeys < replicas || fewestJava < replicas || fewestGo < replicas) {
        breaches.add("endpoints dropped below " + replicas + ": etcd " + fewestKeys + ", Java " + fewestJava
            + ", Go " + fewestGo);
      }
      if (!readyAheadOfRegistry.isEmpty()) {
        breaches.add("Pods Ready while etcd lacked their key: " + readyAheadOfRegistry);
      }
      if (!keyOutlivedPod.isEmpty()) {
        breaches.add("Pods gone while their key was still in etcd: " + keyOutlivedPod);
      }
      if (!breaches.isEmpty()) {
        throw new AssertionError(String.join("\n", breaches));
      }
    }

    long gatePercentile(double p) {
      if (gateMillis.isEmpty()) {
        return -1;
      }
      return gateMillis.get((int) Math.min(gateMillis.size() - 1, Math.ceil(p / 100 * gateMillis.size()) - 1));
    }
  }

  @Override
  public void close() {
    pods.close();
    etcdWatch.close();
    discovery.close();
    goConsumer.close();
  }
}
