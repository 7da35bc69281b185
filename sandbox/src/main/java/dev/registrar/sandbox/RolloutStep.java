package dev.registrar.sandbox;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.testing.RepositoryRoot;
import dev.registrar.testing.kubernetes.KubeletRules;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The demo's rollout, on the real control plane: examples/quickstart/ applied (a Deployment of
 * 3 with the readiness gate and its registration), then restarted as {@code kubectl rollout
 * restart} does, while every change of its keys in etcd is printed as it happens with the
 * number of endpoints a consumer sees.
 */
final class RolloutStep {

  static final String SERVICE = "orders";
  static final String KEYS = "/services/" + SERVICE + "/";
  static final int REPLICAS = 3;
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final KubernetesClient kube;
  private final Client etcd;
  private final PrintStream out;
  private final String namespace;
  private int fewest = Integer.MAX_VALUE;
  private boolean endedWithTheNewPods;

  RolloutStep(KubernetesClient kube, Client etcd, PrintStream out, String namespace) {
    this.kube = kube;
    this.etcd = etcd;
    this.out = out;
    this.namespace = namespace;
  }

  /** Endpoints never below the replicas, and the registry ends with exactly the new Pods. */
  boolean held() {
    return fewest >= REPLICAS && endedWithTheNewPods;
  }

  void run() {
    Path quickstart = RepositoryRoot.find().resolve("examples/quickstart");
    for (String file : List.of("registration.yaml", "deployment.yaml")) {
      try (InputStream in = Files.newInputStream(quickstart.resolve(file))) {
        kube.load(in).inNamespace(namespace).serverSideApply();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    out.println("  applied examples/quickstart/: Deployment orders (3 replicas, maxUnavailable 0, maxSurge 1, "
        + "readiness gate registrar.dev/registered) and ServiceRegistration orders");
    Set<String> keys = new TreeSet<>(waitFor(() -> keys().size() == REPLICAS && rolledOut(), this::keys));
    out.printf("  %d endpoints registered: %s%n", keys.size(), String.join(", ", keys));

    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    long revision = revision();
    // The watch callback runs on jetcd's event loop: it only queues, this thread prints.
    try (Watch.Watcher watcher = etcd.getWatchClient().watch(bytes(KEYS),
        WatchOption.builder().isPrefix(true).withRevision(revision + 1).build(),
        response -> events.addAll(response.getEvents()))) {
      out.println("  kubectl rollout restart deployment/orders: endpoints as a consumer sees them");
      kube.apps().deployments().inNamespace(namespace).withName(SERVICE).edit(d -> {
        d.getSpec().getTemplate().getMetadata().getAnnotations()
            .put("kubectl.kubernetes.io/restartedAt", Instant.now().toString());
        return d;
      });
      long started = System.nanoTime();
      fewest = keys.size();
      long deadline = started + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        WatchEvent event = events.poll(100, TimeUnit.MILLISECONDS);
        if (event != null) {
          String key = event.getKeyValue().getKey().toString(UTF_8);
          boolean put = event.getEventType() == WatchEvent.EventType.PUT;
          if (put) {
            keys.add(key);
          } else {
            keys.remove(key);
          }
          fewest = Math.min(fewest, keys.size());
          out.printf("  %5.1f s  etcd %s %-36s %d endpoints%n", (System.nanoTime() - started) / 1e9,
              put ? "+" : "-", key, keys.size());
        } else if (rolledOut() && keys.equals(newPodKeys())) {
          endedWithTheNewPods = true;
          break;
        }
      }
      out.printf("  rollout complete in %.1f s; fewest endpoints seen: %d (replicas: %d)%n",
          (System.nanoTime() - started) / 1e9, fewest, REPLICAS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean rolledOut() {
    Deployment deployment = kube.apps().deployments().inNamespace(namespace).withName(SERVICE).get();
    var status = deployment.getStatus();
    return status != null && status.getObservedGeneration() != null
        && status.getObservedGeneration() >= deployment.getMetadata().getGeneration()
        && Integer.valueOf(REPLICAS).equals(status.getUpdatedReplicas())
        && Integer.valueOf(REPLICAS).equals(status.getReplicas())
        && Integer.valueOf(REPLICAS).equals(status.getAvailableReplicas());
  }

  /** The keys the running, Ready Pods of the Deployment should have. */
  private Set<String> newPodKeys() {
    return kube.pods().inNamespace(namespace).withLabel("app", SERVICE).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> "True".equals(KubeletRules.conditionStatus(p.getStatus(), "Ready")))
        .map(Pod::getStatus).map(s -> KEYS + s.getPodIP() + ":8080")
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private Set<String> keys() {
    try {
      return etcd.getKVClient().get(bytes(KEYS), GetOption.builder().isPrefix(true).withKeysOnly(true).build())
          .get(5, TimeUnit.SECONDS).getKvs().stream().map(kv -> kv.getKey().toString(UTF_8))
          .collect(Collectors.toCollection(TreeSet::new));
    } catch (Exception e) {
      throw new IllegalStateException("could not read etcd: " + e.getMessage(), e);
    }
  }

  private long revision() {
    try {
      return etcd.getKVClient().get(bytes(KEYS), GetOption.builder().withCountOnly(true).build())
          .get(5, TimeUnit.SECONDS).getHeader().getRevision();
    } catch (Exception e) {
      throw new IllegalStateException("could not read etcd: " + e.getMessage(), e);
    }
  }

  private <T> T waitFor(java.util.function.BooleanSupplier done, java.util.function.Supplier<T> value) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Deployment orders was not rolled out and registered within "
            + TIMEOUT.toSeconds() + " s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return value.get();
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }
}
