package dev.registrar.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.operator.testing.TestObjects;
import dev.registrar.testing.etcd.EtcdCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The benchmark: a real etcd, the fabric8 mock API, and the real operator classes in-process.
 * One run measures the etcd floor, readiness latency, cold start, write amplification and
 * footprint, prints a table and writes {@code bench-result.json}.
 *
 * <pre>java -jar bench/target/registrar-bench.jar [--pods 1000] [--registrations 10] [--flips 200]
 *     [--rate 20] [--gate-pods 200] [--cold-pods 10000] [--cold-registrations 100] [--idle-seconds 60]
 *     [--floor-puts 1000] [--floor-keys 10000] [--footprint-pods 10000] [--footprint-registrations 100]
 *     [--operator-jar operator/target/registrar-operator.jar] [--out bench/target/bench-result.json]</pre>
 *
 * <p>The footprint phase runs last and on its own prefix: the shipped jar as a process of its own,
 * with the chart's memory settings, against realistic Pods (what a Deployment makes).
 */
public final class RegistrarBench {

  /** The run's sizes. */
  public record Params(int floorPuts, int floorKeys, int pods, int registrations, int flips, double rate,
      int gatePods, int coldPods, int coldRegistrations, int idleSeconds, int footprintPods, int footprintRegistrations,
      Path operatorJar, Path out) {

    static final String USAGE = "usage: java -jar registrar-bench.jar [--pods 1000] [--registrations 10] [--flips 200]"
        + " [--rate 20] [--gate-pods 200] [--cold-pods 10000] [--cold-registrations 100] [--idle-seconds 60]"
        + " [--floor-puts 1000] [--floor-keys 10000] [--footprint-pods 10000] [--footprint-registrations 100]"
        + " [--operator-jar operator/target/registrar-operator.jar] [--out bench/target/bench-result.json]\n"
        + "       java -jar registrar-bench.jar scale --help   (the bench on a real kube-apiserver)";

    static Params parse(String[] args) {
      BenchFlags flags = BenchFlags.parse(List.of(args), USAGE);
      Params p = new Params(
          Integer.parseInt(flags.take("floor-puts", "1000")),
          Integer.parseInt(flags.take("floor-keys", "10000")),
          Integer.parseInt(flags.take("pods", "1000")),
          Integer.parseInt(flags.take("registrations", "10")),
          Integer.parseInt(flags.take("flips", "200")),
          Double.parseDouble(flags.take("rate", "20")),
          Integer.parseInt(flags.take("gate-pods", "200")),
          Integer.parseInt(flags.take("cold-pods", "10000")),
          Integer.parseInt(flags.take("cold-registrations", "100")),
          Integer.parseInt(flags.take("idle-seconds", "60")),
          Integer.parseInt(flags.take("footprint-pods", "10000")),
          Integer.parseInt(flags.take("footprint-registrations", "100")),
          Path.of(flags.take("operator-jar", "operator/target/registrar-operator.jar")),
          Path.of(flags.take("out", "bench/target/bench-result.json")));
      flags.requireAllTaken(USAGE);
      return p;
    }
  }

  private RegistrarBench() {}

  /** The User-Agent of the operator's API client, so that its writes can be told from the bench's. */
  static final String OPERATOR_AGENT = "registrar-bench-operator";

  // Held, so that the level sticks: java.util.logging keeps loggers weakly.
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    // The mock API logs every request at INFO: thousands of lines around the table.
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  public static void main(String[] args) throws Exception {
    try {
      if (args.length > 0 && args[0].equals("scale")) {
        ScaleBench.main(List.of(args).subList(1, args.length));
        System.exit(0);
      }
      runAndWrite(Params.parse(args));
    } catch (BenchFlags.UsageException e) {
      (e.help() ? System.out : System.err).println(e.getMessage());
      System.exit(e.help() ? 0 : 2);
    }
    System.exit(0);
  }

  private static void runAndWrite(Params params) throws Exception {
    Map<String, Object> result = run(params);
    print(result);
    Files.createDirectories(params.out().toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(params.out().toFile(), result);
    System.out.println("written to " + params.out());
  }

  /** Runs every scenario; the result is what the table and the JSON file show. */
  public static Map<String, Object> run(Params params) throws Exception {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("params", params.toString());
    try (EtcdCluster etcd = EtcdCluster.singleMember().start()) {
      floor(etcd.client(), params, result);
      readiness(etcd, params, result);
      readinessGate(etcd, params, result);
      coldStartIdleAndFootprint(etcd, params, result);
      Footprint.measure(etcd, params, result);
    }
    return result;
  }

  // 1. What etcd itself costs, on the same etcd.
  static void floor(Client etcd, Params params, Map<String, Object> result) throws Exception {
    long lease = etcd.getLeaseClient().grant(60).get(5, TimeUnit.SECONDS).getID();
    PutOption withLease = PutOption.builder().withLeaseId(lease).build();
    long[] puts = new long[params.floorPuts()];
    // The same put seen at a watch, as the readiness phase sees the operator's writes.
    long[] watched = new long[params.floorPuts()];
    Map<String, Long> seen = new ConcurrentHashMap<>();
    try (Watch.Watcher watch = etcd.getWatchClient().watch(bytes("/bench-floor/put/"),
        WatchOption.builder().isPrefix(true).build(),
        response -> response.getEvents().forEach(e -> seen.put(e.getKeyValue().getKey().toString(UTF_8), System.nanoTime())))) {
      for (int i = 0; i < puts.length; i++) {
        String key = "/bench-floor/put/" + i;
        long t0 = System.nanoTime();
        etcd.getKVClient().put(bytes(key), bytes("{\"address\":\"10.0.0.1\",\"port\":80}"), withLease)
            .get(5, TimeUnit.SECONDS);
        puts[i] = System.nanoTime() - t0;
        awaitTrue(() -> seen.containsKey(key), Duration.ofSeconds(5));
        watched[i] = seen.get(key) - t0;
      }
    }
    Arrays.sort(watched);
    result.put("floor_put_to_watch_p50_ms", ms(percentile(watched, 50)));
    result.put("floor_put_to_watch_p99_ms", ms(percentile(watched, 99)));
    Arrays.sort(puts);
    long t0 = System.nanoTime();
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < params.floorKeys(); i++) {
      ops.add(Op.put(bytes("/bench-floor/txn/" + i), bytes("{\"address\":\"10.0.0.1\",\"port\":80}"), withLease));
      if (ops.size() == 128 || i == params.floorKeys() - 1) {
        etcd.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get(10, TimeUnit.SECONDS);
        ops.clear();
      }
    }
    double txnSeconds = (System.nanoTime() - t0) / 1e9;
    etcd.getLeaseClient().revoke(lease).get(5, TimeUnit.SECONDS);
    result.put("floor_put_p50_ms", ms(percentile(puts, 50)));
    result.put("floor_put_p99_ms", ms(percentile(puts, 99)));
    result.put("floor_txn_keys", params.floorKeys());
    result.put("floor_txn_seconds", round(txnSeconds));
    result.put("floor_txn_keys_per_second", Math.round(params.floorKeys() / txnSeconds));
  }

  // 2 and 4a. Readiness flips, one at a time at a steady rate; etcd observed by its own watch.
  static void readiness(EtcdCluster etcd, Params params, Map<String, Object> result) throws Exception {
    Map<String, Long> etcdEvents = new ConcurrentHashMap<>();
    Map<String, Long> informerEvents = new ConcurrentHashMap<>();
    try (MockKubernetesApi api = MockKubernetesApi.start();
         KubernetesClient operatorClient = api.newClient(OPERATOR_AGENT);
         RunningOperator operator = RunningOperator.start(operatorClient, etcd.endpointList());
         Watch.Watcher watch = etcd.client().getWatchClient().watch(bytes("/services/"),
             WatchOption.builder().isPrefix(true).build(),
             response -> response.getEvents().forEach(e ->
                 etcdEvents.put(e.getKeyValue().getKey().toString(UTF_8), System.nanoTime())))) {
      KubernetesClient client = api.client();
      List<Pod> pods = createRegistrationsAndPods(client, "r", params.registrations(), params.pods());
      awaitKeys(etcd.client(), "/services/r-", params.pods(), Duration.ofMinutes(5));

      // The mock's own delivery floor: status patch to an event at a separate informer.
      SharedIndexInformer<Pod> informer = onPodUpdates(client,
          (before, after) -> informerEvents.put(after.getMetadata().getName(), System.nanoTime()));
      operator.awaitSettled();
      api.takeRequests(); // from here on, count the operator's own API writes
      long etcdCallsBefore = operator.etcdCalls();
      long revisionBefore = revision(etcd.client());
      long[] latency = new long[params.flips()];
      long[] delivery = new long[params.flips()];
      long interval = (long) (1e9 / params.rate());
      long start = System.nanoTime();
      for (int i = 0; i < params.flips(); i++) {
        long due = start + i * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait); // pacing the load generator, not a wait for a result
        }
        Pod pod = pods.get(i % pods.size());
        String name = pod.getMetadata().getName();
        boolean ready = (i / pods.size()) % 2 == 1; // first pass: unready; second pass: ready again
        String key = "/services/" + pod.getMetadata().getLabels().get("app") + "/" + pod.getStatus().getPodIP() + ":80";
        etcdEvents.remove(key);
        informerEvents.remove(name);
        long t0 = System.nanoTime();
        client.pods().inNamespace("bench").withName(name).editStatus(p -> {
          p.getStatus().getConditions().forEach(c -> c.setStatus(ready ? "True" : "False"));
          return p;
        });
        awaitTrue(() -> etcdEvents.containsKey(key) && informerEvents.containsKey(name), Duration.ofSeconds(30));
        latency[i] = etcdEvents.get(key) - t0;
        delivery[i] = informerEvents.get(name) - t0;
      }
      long revisionAfter = revision(etcd.client());
      informer.close();
      operator.awaitSettled(); // the last status patches and Events of the run
      long etcdCalls = operator.etcdCalls() - etcdCallsBefore;
      var writes = api.takeRequests().stream()
          .filter(r -> OPERATOR_AGENT.equals(r.getHeader("User-Agent")))
          .filter(r -> !r.getMethod().equals("GET"))
          .toList();
      long apiWrites = writes.size();
      long eventWrites = writes.stream().filter(r -> r.getPath().contains("/events")).count();
      long[] own = new long[latency.length];
      for (int i = 0; i < own.length; i++) {
        own[i] = Math.max(0, latency[i] - delivery[i]);
      }
      Arrays.sort(latency);
      Arrays.sort(delivery);
      Arrays.sort(own);
      result.put("readiness_flips", params.flips());
      result.put("readiness_p50_ms", ms(percentile(latency, 50)));
      result.put("readiness_p95_ms", ms(percentile(latency, 95)));
      result.put("readiness_p99_ms", ms(percentile(latency, 99)));
      result.put("mock_delivery_p50_ms", ms(percentile(delivery, 50)));
      result.put("mock_delivery_p99_ms", ms(percentile(delivery, 99)));
      result.put("operator_share_p50_ms", ms(percentile(own, 50)));
      result.put("operator_share_p99_ms", ms(percentile(own, 99)));
      result.put("readiness_p99_over_put_p99", round(ms(percentile(latency, 99)) / (double) result.get("floor_put_p99_ms")));
      result.put("revisions_per_change", round((revisionAfter - revisionBefore) / (double) params.flips()));
      result.put("etcd_round_trips_per_change", round(etcdCalls / (double) params.flips()));
      result.put("api_writes_per_change", round(apiWrites / (double) params.flips()));
      result.put("api_status_patches_per_change", round((apiWrites - eventWrites) / (double) params.flips()));
      result.put("api_events_per_change", round(eventWrites / (double) params.flips()));
    }
    forgetPhase(etcd.client());
  }

  /**
   * The readiness gate: gated Pods turn ContainersReady one at a time, at the readiness phase's
   * rate, and the time to their condition registrar.dev/registered=True is taken at an informer
   * of the bench's own, next to the mock's delivery floor (the same patch's event at that
   * informer). The path holds two deliveries (the ContainersReady patch to the operator, the gate
   * patch back to the bench) around one etcd commit. Every gate seen True is checked against etcd:
   * its key must already be there.
   */
  static void readinessGate(EtcdCluster etcd, Params params, Map<String, Object> result) throws Exception {
    if (params.gatePods() == 0) {
      return;
    }
    Map<String, Long> gateTrue = new ConcurrentHashMap<>();
    Map<String, Long> containersReady = new ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicInteger aheadOfEtcd = new java.util.concurrent.atomic.AtomicInteger();
    try (MockKubernetesApi api = MockKubernetesApi.start();
         KubernetesClient operatorClient = api.newClient(OPERATOR_AGENT);
         RunningOperator operator = RunningOperator.start(operatorClient, etcd.endpointList())) {
      KubernetesClient client = api.client();
      createRegistrations(client, "g", 1);
      List<String> names = new ArrayList<>();
      for (int n = 0; n < params.gatePods(); n++) {
        String name = "g-pod-" + n;
        names.add(name);
        client.resource(TestObjects.gatedPod("bench", name, "10.170." + (n / 256) + "." + (n % 256),
            Map.of("app", "g-0"), false)).create();
      }
      SharedIndexInformer<Pod> informer = onPodUpdates(client, (before, after) -> {
        long now = System.nanoTime();
        String name = after.getMetadata().getName();
        if (PodReadiness.isContainersReady(after) && !PodReadiness.isContainersReady(before)) {
          containersReady.putIfAbsent(name, now);
        }
        boolean registered = PodReadiness.condition(after, PodReadiness.GATE).map(c -> "True".equals(c.getStatus())).orElse(false);
        if (registered && !gateTrue.containsKey(name)) {
          String key = "/services/g-0/" + after.getStatus().getPodIP() + ":80";
          try {
            if (etcd.client().getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getCount() == 0) {
              aheadOfEtcd.incrementAndGet();
            }
          } catch (Exception e) {
            aheadOfEtcd.incrementAndGet();
          }
          gateTrue.put(name, now);
        }
      });
      operator.awaitSettled();
      long[] latency = new long[names.size()];
      long[] delivery = new long[names.size()];
      long interval = (long) (1e9 / params.rate());
      long start = System.nanoTime();
      for (int i = 0; i < names.size(); i++) {
        long wait = start + i * interval - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait); // pacing the load generator, not a wait for a result
        }
        String name = names.get(i);
        long t0 = System.nanoTime();
        containersReady(client, name);
        awaitTrue(() -> gateTrue.containsKey(name) && containersReady.containsKey(name), Duration.ofSeconds(30));
        latency[i] = gateTrue.get(name) - t0;
        delivery[i] = containersReady.get(name) - t0;
      }
      // A mass: as many gated Pods again turn ContainersReady at once (a fresh install, the operator
      // back after an outage); time until every gate is True.
      List<String> mass = new ArrayList<>();
      for (int n = 0; n < params.gatePods(); n++) {
        String name = "gm-pod-" + n;
        mass.add(name);
        client.resource(TestObjects.gatedPod("bench", name, "10.171." + (n / 256) + "." + (n % 256),
            Map.of("app", "g-0"), false)).create();
      }
      operator.awaitSettled();
      Map<String, Long> massFlipped = new ConcurrentHashMap<>();
      long massStart = System.nanoTime();
      for (String name : mass) {
        massFlipped.put(name, System.nanoTime());
        containersReady(client, name);
      }
      long massFlips = System.nanoTime() - massStart;
      awaitTrue(() -> mass.stream().allMatch(gateTrue::containsKey), Duration.ofMinutes(2));
      long[] massLatency = mass.stream().mapToLong(name -> gateTrue.get(name) - massFlipped.get(name)).sorted().toArray();
      long massAll = mass.stream().mapToLong(gateTrue::get).max().orElse(massStart) - massStart;
      result.put("gate_mass_pods", mass.size());
      result.put("gate_mass_flips_seconds", round(massFlips / 1e9));
      result.put("gate_mass_all_true_seconds", round(massAll / 1e9));
      result.put("gate_mass_p50_ms", ms(percentile(massLatency, 50)));
      result.put("gate_mass_p99_ms", ms(percentile(massLatency, 99)));
      informer.close();
      Arrays.sort(latency);
      Arrays.sort(delivery);
      result.put("gate_pods", names.size());
      result.put("gate_containers_ready_to_true_p50_ms", ms(percentile(latency, 50)));
      result.put("gate_containers_ready_to_true_p99_ms", ms(percentile(latency, 99)));
      result.put("gate_mock_delivery_p50_ms", ms(percentile(delivery, 50)));
      result.put("gate_mock_delivery_p99_ms", ms(percentile(delivery, 99)));
      result.put("gate_true_before_key", aheadOfEtcd.get());
    }
    forgetPhase(etcd.client());
  }

  /** The kubelet's write: ContainersReady only (index 1 of a gated test Pod's conditions), turned now. */
  static void containersReady(KubernetesClient client, String pod) {
    client.pods().inNamespace("bench").withName(pod).subresource("status").patch(
        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
        "[{\"op\":\"test\",\"path\":\"/status/conditions/1/type\",\"value\":\"ContainersReady\"},"
            + "{\"op\":\"replace\",\"path\":\"/status/conditions/1/status\",\"value\":\"True\"},"
            + "{\"op\":\"replace\",\"path\":\"/status/conditions/1/lastTransitionTime\",\"value\":\""
            + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}]");
  }

  /** An informer of the bench's own on the bench namespace's Pods, running, that hears their updates. */
  static SharedIndexInformer<Pod> onPodUpdates(KubernetesClient client, java.util.function.BiConsumer<Pod, Pod> onUpdate) {
    SharedIndexInformer<Pod> informer = client.pods().inNamespace("bench").inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {}

      @Override
      public void onUpdate(Pod before, Pod after) {
        onUpdate.accept(before, after);
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {}
    });
    informer.run();
    return informer;
  }

  /**
   * The operator of a phase is stopped without revoking its leases, as a real operator stops:
   * their expiry must not count as the next phase's writes. Revoke them, and delete what is left.
   */
  static void forgetPhase(Client etcd) throws Exception {
    // jetcd has no LeaseLeases: the leases worth revoking are the ones that hold keys.
    var kvs = etcd.getKVClient().get(bytes("/"), GetOption.builder().isPrefix(true).withKeysOnly(true).build())
        .get(10, TimeUnit.SECONDS).getKvs();
    for (long lease : kvs.stream().mapToLong(kv -> kv.getLease()).filter(l -> l != 0).distinct().toArray()) {
      etcd.getLeaseClient().revoke(lease).get(5, TimeUnit.SECONDS);
    }
    etcd.getKVClient().delete(bytes("/"), io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build())
        .get(10, TimeUnit.SECONDS);
  }

  // 3, 4b and 5. Everything exists before the operator starts; then it idles with resyncs.
  static void coldStartIdleAndFootprint(EtcdCluster etcd, Params params, Map<String, Object> result) throws Exception {
    try (MockKubernetesApi api = MockKubernetesApi.start()) {
      KubernetesClient client = api.client();
      createRegistrationsAndPods(client, "c", params.coldRegistrations(), params.coldPods());
      long t0 = System.nanoTime();
      try (RunningOperator operator = RunningOperator.start(api, etcd.endpointList(), "--resync-interval", "10s")) {
        awaitKeys(etcd.client(), "/services/c-", params.coldPods(), Duration.ofMinutes(10));
        double coldSeconds = (System.nanoTime() - t0) / 1e9;
        double floorSeconds = params.coldPods() / (double) (long) result.get("floor_txn_keys_per_second");
        result.put("cold_start_keys", params.coldPods());
        result.put("cold_start_seconds", round(coldSeconds));
        result.put("cold_start_over_floor", round(coldSeconds / floorSeconds));

        // Idle: once every status is written, nothing may change in etcd or in the API.
        awaitTrue(() -> client.resources(ServiceRegistration.class).inNamespace("bench").list().getItems().stream()
            .allMatch(r -> r.getStatus() != null && r.getStatus().getRegisteredEndpoints() != null), Duration.ofMinutes(2));
        awaitTrue(() -> operator.reconciles() >= params.coldRegistrations(), Duration.ofMinutes(2));
        // Settled: no registration changed for 2 s, so that a status patch still on its way after
        // the cold start is not counted as an idle one. (Resync reconciles go on meanwhile.)
        List<Map<String, String>> seen = new ArrayList<>(List.of(Map.of()));
        awaitTrue(() -> {
          Map<String, String> now = resourceVersions(client);
          boolean still = now.equals(seen.get(0));
          seen.set(0, now);
          if (!still) {
            sleepQuietly(Duration.ofSeconds(2));
          }
          return still;
        }, Duration.ofMinutes(2));
        long revision = revision(etcd.client());
        Map<String, String> versions = resourceVersions(client);
        int reconcilesBefore = operator.reconciles();
        long etcdCallsBefore = operator.etcdCalls();
        TimeUnit.SECONDS.sleep(params.idleSeconds()); // the idle period itself is what is measured
        Map<String, String> after = resourceVersions(client);
        long patches = after.entrySet().stream().filter(e -> !e.getValue().equals(versions.get(e.getKey()))).count();
        result.put("idle_seconds", params.idleSeconds());
        result.put("idle_reconciles", operator.reconciles() - reconcilesBefore);
        result.put("idle_etcd_revisions", revision(etcd.client()) - revision);
        // Reads too: a resync plans from the watch-fed view, so an idle reconcile calls etcd not at all.
        result.put("idle_etcd_calls", operator.etcdCalls() - etcdCallsBefore);
        result.put("idle_status_patches", patches);

        System.gc();
        Runtime runtime = Runtime.getRuntime();
        result.put("heap_used_mib", (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024));
        result.put("rss_mib", rssMib());
      }
    }
    // The cold start's keys and leases must not be loaded by the footprint phase's operator.
    forgetPhase(etcd.client());
  }

  static List<Pod> createRegistrationsAndPods(KubernetesClient client, String prefix, int registrations, int pods)
      throws Exception {
    return createRegistrationsAndPods(client, prefix, registrations, pods, false);
  }

  /** @param realistic Pods as a Deployment makes them ({@link TestObjects#deploymentPod}), not minimal ones */
  static List<Pod> createRegistrationsAndPods(KubernetesClient client, String prefix, int registrations, int pods,
      boolean realistic) throws Exception {
    createRegistrations(client, prefix, registrations);
    ExecutorService creators = Executors.newFixedThreadPool(8);
    try {
      List<Future<Pod>> created = new ArrayList<>();
      for (Pod pod : pods(prefix, registrations, pods, realistic)) {
        created.add(creators.submit(() -> client.resource(pod).create()));
      }
      List<Pod> result = new ArrayList<>();
      for (Future<Pod> pod : created) {
        result.add(pod.get());
      }
      return result;
    } finally {
      creators.shutdown();
    }
  }

  static void createRegistrations(KubernetesClient client, String prefix, int registrations) {
    for (int r = 0; r < registrations; r++) {
      client.resource(TestObjects.registration("bench", prefix + "-" + r, prefix + "-" + r,
          Map.of("app", prefix + "-" + r), PortSpec.number("http", 80))).create();
    }
  }

  /** Ready Pods spread over the registrations, each with an IP of its own. */
  static List<Pod> pods(String prefix, int registrations, int pods, boolean realistic) {
    List<Pod> result = new ArrayList<>(pods);
    for (int n = 0; n < pods; n++) {
      String ip = "10." + (prefix.equals("r") ? 100 : prefix.equals("f") ? 200 + n / 65536 : 150 + n / 65536) + "." + (n / 256 % 256) + "." + (n % 256);
      Map<String, String> labels = Map.of("app", prefix + "-" + (n % registrations));
      result.add(realistic
          ? TestObjects.deploymentPod("bench", prefix + "-pod-" + n, ip, labels, true)
          : TestObjects.pod("bench", prefix + "-pod-" + n, ip, labels, true));
    }
    return result;
  }

  static Map<String, String> resourceVersions(KubernetesClient client) {
    Map<String, String> versions = new LinkedHashMap<>();
    client.resources(ServiceRegistration.class).inNamespace("bench").list().getItems()
        .forEach(r -> versions.put(r.getMetadata().getName(), r.getMetadata().getResourceVersion()));
    return versions;
  }

  static void awaitKeys(Client etcd, String prefix, int count, Duration within) throws Exception {
    awaitTrue(() -> {
      try {
        return etcd.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
            .get(5, TimeUnit.SECONDS).getCount() >= count;
      } catch (Exception e) {
        return false;
      }
    }, within);
  }

  static void awaitTrue(BooleanSupplier condition, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not reached within " + within);
      }
      TimeUnit.MILLISECONDS.sleep(1);
    }
  }

  private static void sleepQuietly(Duration duration) {
    try {
      TimeUnit.MILLISECONDS.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static long revision(Client etcd) throws Exception {
    return etcd.getKVClient().get(bytes("/")).get(5, TimeUnit.SECONDS).getHeader().getRevision();
  }

  static long rssMib() {
    return Footprint.status(ProcessHandle.current().pid(), "VmRSS") / 1024;
  }

  static long percentile(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  static double ms(long nanos) {
    return round(nanos / 1e6);
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  static void print(Map<String, Object> result) {
    System.out.println();
    System.out.println("| measure | value |");
    System.out.println("| --- | --- |");
    result.forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }
}
