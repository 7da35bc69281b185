package dev.registrar.bench;

import static dev.registrar.bench.RegistrarBench.bytes;
import static dev.registrar.bench.RegistrarBench.ms;
import static dev.registrar.bench.RegistrarBench.percentile;
import static dev.registrar.bench.RegistrarBench.round;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.PodReadiness;
import dev.registrar.operator.testing.TestObjects;
import dev.registrar.testing.etcd.EtcdCluster;
import dev.registrar.testing.kubernetes.RealKubeApiServer;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.WatchOption;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scale bench on a real kube-apiserver: {@code java -jar registrar-bench.jar scale [flags]}.
 * The Pods live in the API server's own etcd; the registry is a separate etcd, as in production.
 * The operator is the shipped jar, run with the chart's JVM settings. Each figure is measured next
 * to a floor of the same run: the etcd transaction floor for as many keys, and the informer floor
 * (a bare fabric8 informer listing and syncing the same Pods).
 *
 * <ol>
 *   <li>cold start: every Pod exists before the jar starts; time until every key is in etcd;</li>
 *   <li>churn: readiness flips at a steady rate (status patches, as the kubelet writes them),
 *       each timed to its key's change at a separate etcd watch; the changes still outstanding are
 *       sampled every second (the backlog); revisions, etcd round trips and CPU per change;</li>
 *   <li>a mass of gated Pods turning ContainersReady together: time until each gate is True;</li>
 *   <li>memory (peak RSS, live heap) and threads of the jar.</li>
 * </ol>
 */
final class ScaleBench {

  record Params(int pods, int registrations, double churnRate, int churnSeconds, int gateMass, int creators,
      int reconcileThreads, List<Integer> sweepThreads, int memoryLimitMib, String operatorJvm, Path operatorJar,
      Path out) {

    static final String USAGE = "usage: java -jar registrar-bench.jar scale [--pods 10000] [--registrations 100]"
        + " [--churn-rate 100] [--churn-seconds 60] [--gate-mass 10000] [--creators 16] [--reconcile-threads N]"
        + " [--sweep-threads 2,50] [--memory-limit-mib M] [--operator-jvm '...']"
        + " [--operator-jar operator/target/registrar-operator.jar] [--out bench/target/scale-result.json]";

    static Params parse(List<String> args) {
      BenchFlags flags = BenchFlags.parse(args, USAGE);
      Params p = new Params(
          Integer.parseInt(flags.take("pods", "10000")),
          Integer.parseInt(flags.take("registrations", "100")),
          Double.parseDouble(flags.take("churn-rate", "100")),
          Integer.parseInt(flags.take("churn-seconds", "60")),
          Integer.parseInt(flags.take("gate-mass", "10000")),
          Integer.parseInt(flags.take("creators", "16")),
          Integer.parseInt(flags.take("reconcile-threads", "0")),
          java.util.Arrays.stream(flags.take("sweep-threads", "").split(",")).filter(t -> !t.isBlank())
              .map(Integer::parseInt).toList(),
          Integer.parseInt(flags.take("memory-limit-mib", "0")),
          flags.take("operator-jvm", ""),
          Path.of(flags.take("operator-jar", "operator/target/registrar-operator.jar")),
          Path.of(flags.take("out", "bench/target/scale-result.json")));
      flags.requireAllTaken(USAGE);
      return p;
    }
  }

  static final String NS = "bench";

  private ScaleBench() {}

  static void main(List<String> args) throws Exception {
    Params params = Params.parse(args);
    Map<String, Object> result = run(params);
    RegistrarBench.print(result);
    Files.createDirectories(params.out().toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(params.out().toFile(), result);
    System.out.println("written to " + params.out());
  }

  static Map<String, Object> run(Params params) throws Exception {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("params", params.toString());
    long wall = System.nanoTime();
    try (EtcdCluster registry = EtcdCluster.singleMember().start();
         RealKubeApiServer api = RealKubeApiServer.startDedicated()) {
      api.installRegistrationCrd();
      api.namespace(NS);
      progress("control plane up: kube-apiserver " + api.controlPlane().kubernetesVersion() + ", registry etcd "
          + registry.endpointList());
      double txnFloor = txnFloor(registry.client(), params.pods());
      result.put("etcd_floor_seconds", round(txnFloor));
      List<String> services = createRegistrations(api.client(), params.registrations());
      PodSet pods = createPods(api.client(), "c", params.pods(), services, false, params.creators(), result);
      double informerInProcess = informerFloor(api);
      result.put("informer_floor_in_process_seconds", round(informerInProcess));
      // The floor the cold start is held to: a bare informer program, launched as the jar is, with
      // the chart's javaOptions but not its memory limit: unpruned, 10,000 Pods do not fit in it.
      List<String> floorJvm = OperatorJar.jvmOptions(params);
      double informerFloor = InformerFloor.measure(api.kubeconfig(), NS, 500, floorJvm.subList(1, floorJvm.size()));
      result.put("informer_floor_seconds", round(informerFloor));
      progress("informer floor: a bare informer program, launch to synced, " + round(informerFloor) + " s");

      try (OperatorJar jar = OperatorJar.start(params, api, registry, result)) {
        awaitCount(registry.client(), "/services/", params.pods(), Duration.ofMinutes(30));
        double cold = jar.secondsSinceStart();
        result.put("cold_start_seconds", round(cold));
        result.put("cold_start_goal_seconds", round(informerFloor + 3 * txnFloor));
        result.put("cold_start_over_goal", round(cold / (informerFloor + 3 * txnFloor)));
        progress("cold start: " + params.pods() + " keys in " + round(cold) + " s (goal " + round(informerFloor + 3 * txnFloor) + " s)");
        awaitSettled(api.client(), params.pods(), Duration.ofMinutes(10));
        result.put("rss_after_cold_start_mib", jar.rssMib());

        churn(params, api.client(), registry.client(), pods, jar, result);
        result.put("rss_peak_mib", jar.peakRssMib());
        result.put("heap_live_mib", jar.liveHeapMib());
        result.put("threads", jar.threads());
        result.put("operator_jvm", jar.jvm());
      }
      // The same Pods, the jar again with another reconcile pool: cold start and churn only.
      for (int threads : params.sweepThreads()) {
        forget(registry.client());
        Params swept = new Params(params.pods(), params.registrations(), params.churnRate(), params.churnSeconds(), 0,
            params.creators(), threads, List.of(), params.memoryLimitMib(), params.operatorJvm(), params.operatorJar(),
            params.out());
        Map<String, Object> sweep = new LinkedHashMap<>();
        try (OperatorJar jar = OperatorJar.start(swept, api, registry, sweep)) {
          awaitCount(registry.client(), "/services/s-", params.pods(), Duration.ofMinutes(30));
          sweep.put("cold_start_seconds", round(jar.secondsSinceStart()));
          awaitSettled(api.client(), params.pods(), Duration.ofMinutes(10));
          churn(swept, api.client(), registry.client(), pods, jar, sweep);
          sweep.put("rss_peak_mib", jar.peakRssMib());
          sweep.put("threads", jar.threads());
        }
        for (String key : List.of("cold_start_seconds", "churn_p50_ms", "churn_p99_ms", "churn_outstanding_max",
            "churn_cpu_ms_per_change", "churn_api_delivery_p50_ms", "rss_peak_mib", "threads")) {
          result.put("sweep_threads_" + threads + "_" + key, sweep.get(key));
        }
        progress("reconcile threads " + threads + ": churn p99 " + sweep.get("churn_p99_ms") + " ms, CPU "
            + sweep.get("churn_cpu_ms_per_change") + " ms/change, peak RSS " + sweep.get("rss_peak_mib") + " MiB");
      }
      // Last, a jar of the default pool for the gated mass: its Pods come on top of the others.
      if (params.gateMass() > 0) {
        forget(registry.client());
        try (OperatorJar jar = OperatorJar.start(params, api, registry, new LinkedHashMap<>())) {
          awaitCount(registry.client(), "/services/s-", params.pods(), Duration.ofMinutes(30));
          awaitSettled(api.client(), params.pods(), Duration.ofMinutes(10));
          gateMass(params, api, registry.client(), result);
          result.put("gate_mass_rss_peak_mib", jar.peakRssMib());
        }
      }
    }
    result.put("wall_seconds", round((System.nanoTime() - wall) / 1e9));
    return result;
  }

  /** As many keys as Pods, written in 128-operation transactions: what etcd itself needs. */
  static double txnFloor(Client etcd, int keys) throws Exception {
    long lease = etcd.getLeaseClient().grant(120).get(5, TimeUnit.SECONDS).getID();
    var withLease = io.etcd.jetcd.options.PutOption.builder().withLeaseId(lease).build();
    long t0 = System.nanoTime();
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      ops.add(Op.put(bytes("/bench-floor/" + i), bytes("{\"address\":\"10.0.0.1\",\"port\":80,\"pod\":\"floor-" + i
          + "\",\"namespace\":\"bench\",\"node\":\"node-1\",\"owner\":{\"cluster\":\"default\"}}"), withLease));
      if (ops.size() == 128 || i == keys - 1) {
        etcd.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get(30, TimeUnit.SECONDS);
        ops.clear();
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    etcd.getLeaseClient().revoke(lease).get(30, TimeUnit.SECONDS);
    progress("etcd floor: " + keys + " keys in " + round(seconds) + " s");
    return seconds;
  }

  static List<String> createRegistrations(KubernetesClient client, int registrations) {
    List<String> services = new ArrayList<>();
    for (int r = 0; r < registrations; r++) {
      String name = "s-" + r;
      client.resource(TestObjects.registration(NS, name, name, Map.of("app", name), PortSpec.number("http", 80))).create();
      services.add(name);
    }
    return services;
  }

  /** The Pods the bench made: names, IPs and the service each belongs to; never the objects. */
  record PodSet(String[] names, String[] ips, String[] services) {
    String key(int i) {
      return "/services/" + services[i] + "/" + ips[i] + ":80";
    }
  }

  /**
   * Creates Pods as a Deployment makes them (managed fields, env, probes, container statuses),
   * each then given its status through the status subresource as the kubelet writes it.
   */
  static PodSet createPods(KubernetesClient client, String prefix, int count, List<String> services, boolean gated,
      int threads, Map<String, Object> result) throws Exception {
    PodSet set = new PodSet(new String[count], new String[count], new String[count]);
    ExecutorService creators = Executors.newFixedThreadPool(threads);
    long t0 = System.nanoTime();
    AtomicLong done = new AtomicLong();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int n = 0; n < count; n++) {
        int i = n;
        futures.add(creators.submit(() -> {
          String name = prefix + "-pod-" + i;
          String service = services.get(i % services.size());
          String ip = "10." + ((gated ? 140 : 150) + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256);
          Pod pod = gated ? TestObjects.gatedPod(NS, name, ip, Map.of("app", service), false)
              : TestObjects.deploymentPod(NS, name, ip, Map.of("app", service), true);
          var status = pod.getStatus();
          pod.setStatus(null);
          ObjectMeta meta = pod.getMetadata();
          meta.setUid(null);
          meta.setResourceVersion(null);
          meta.setCreationTimestamp(null);
          meta.setManagedFields(null);
          meta.setGenerateName(null);
          Pod created = client.resource(pod).create();
          status.setPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIPBuilder().withIp(ip).build()));
          created.setStatus(status);
          client.resource(created).updateStatus();
          set.names()[i] = name;
          set.ips()[i] = ip;
          set.services()[i] = service;
          long n2 = done.incrementAndGet();
          if (n2 % 10_000 == 0) {
            progress("  " + n2 + " Pods created (" + Math.round(n2 / ((System.nanoTime() - t0) / 1e9)) + "/s)");
          }
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      creators.shutdown();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    result.put(prefix + "_pods_created", count);
    result.put(prefix + "_pods_created_per_second", Math.round(count / seconds));
    progress(count + " Pods created with their status in " + round(seconds) + " s");
    return set;
  }

  /** A bare fabric8 informer on the same Pods, in a fresh client: from start to synced. */
  static double informerFloor(RealKubeApiServer api) throws Exception {
    try (KubernetesClient client = api.newClient("registrar-bench-informer-floor", api.url())) {
      long t0 = System.nanoTime();
      SharedIndexInformer<Pod> informer = client.pods().inNamespace(NS).inform(); // returns once synced
      double seconds = (System.nanoTime() - t0) / 1e9;
      int size = informer.getStore().list().size();
      informer.close();
      progress("informer floor: " + size + " Pods listed and synced in " + round(seconds) + " s");
      return seconds;
    }
  }

  /** Every registration has written a status that counts all its Pods. */
  static void awaitSettled(KubernetesClient client, int pods, Duration within) throws InterruptedException {
    awaitApi(() -> client.resources(ServiceRegistration.class).inNamespace(NS).list().getItems().stream()
        .filter(r -> r.getMetadata().getName().startsWith("s-"))
        .mapToInt(r -> r.getStatus() == null || r.getStatus().getRegisteredEndpoints() == null ? 0
            : r.getStatus().getRegisteredEndpoints()).sum() == pods, within);
  }

  /** Polls the API server every 250 ms: a tighter loop would load the server it measures. */
  static void awaitApi(java.util.function.BooleanSupplier condition, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not reached within " + within);
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
  }

  /**
   * Readiness flips at a steady rate: the first half turns Pods unready, the second half turns the
   * same Pods ready again, so that every flip is one key change. Each is timed from just before
   * its status patch to its key's event at a separate watch.
   */
  static void churn(Params params, KubernetesClient client, Client etcd, PodSet pods, OperatorJar jar,
      Map<String, Object> result) throws Exception {
    int flips = (int) Math.round(params.churnRate() * params.churnSeconds());
    int half = Math.min(flips / 2, pods.names().length);
    flips = half * 2;
    // The flip each key waits for; the watch takes it out when the key changes.
    Map<String, Integer> pending = new ConcurrentHashMap<>();
    long[] sentAt = new long[flips];
    long[] seenAt = new long[flips];
    // The API server's own delivery: the same patch's event at an informer of the bench's own.
    Map<String, Integer> undelivered = new ConcurrentHashMap<>();
    long[] deliveredAt = new long[flips];
    SharedIndexInformer<Pod> delivery = client.pods().inNamespace(NS).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {}

      @Override
      public void onUpdate(Pod before, Pod pod) {
        Integer flip = undelivered.remove(pod.getMetadata().getName());
        if (flip != null) {
          deliveredAt[flip] = System.nanoTime();
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {}
    });
    long revisionBefore = RegistrarBench.revision(etcd);
    long callsBefore = jar.etcdCalls();
    long cpuBefore = jar.cpuMillis();
    int stride = Math.max(1, pods.names().length / Math.max(1, half));
    List<Integer> outstanding = new ArrayList<>();
    ExecutorService writers = Executors.newFixedThreadPool(8);
    long start;
    try (Watch.Watcher watch = etcd.getWatchClient().watch(bytes("/services/"), WatchOption.builder().isPrefix(true).build(),
        response -> response.getEvents().forEach(e -> {
          Integer flip = pending.remove(e.getKeyValue().getKey().toString(UTF_8));
          if (flip != null) {
            seenAt[flip] = System.nanoTime();
          }
        }))) {
      long interval = (long) (1e9 / params.churnRate());
      start = System.nanoTime();
      long nextSample = start + TimeUnit.SECONDS.toNanos(1);
      List<Future<?>> writes = new ArrayList<>();
      for (int f = 0; f < flips; f++) {
        long due = start + f * interval;
        while (System.nanoTime() < due) {
          if (System.nanoTime() >= nextSample) {
            outstanding.add(pending.size());
            nextSample += TimeUnit.SECONDS.toNanos(1);
          }
          TimeUnit.MICROSECONDS.sleep(200); // pacing the load generator, not a wait for a result
        }
        int p = (f % half) * stride % pods.names().length;
        boolean ready = f >= half; // the first half turns Pods unready, the second the same ones ready
        String key = pods.key(p);
        String name = pods.names()[p];
        int flip = f;
        writes.add(writers.submit(() -> {
          sentAt[flip] = System.nanoTime();
          pending.put(key, flip);
          undelivered.put(name, flip);
          readiness(client, name, ready);
          return null;
        }));
      }
      for (Future<?> write : writes) {
        write.get();
      }
      while (!pending.isEmpty() && System.nanoTime() - start < TimeUnit.MINUTES.toNanos(10)) {
        if (System.nanoTime() >= nextSample) {
          outstanding.add(pending.size());
          nextSample += TimeUnit.SECONDS.toNanos(1);
        }
        TimeUnit.MILLISECONDS.sleep(1);
      }
      if (!pending.isEmpty()) {
        throw new IllegalStateException(pending.size() + " flips never reached etcd");
      }
      result.put("churn_seconds_taken", round((System.nanoTime() - start) / 1e9));
    } finally {
      writers.shutdown();
      delivery.close();
    }
    long[] latency = new long[flips];
    long[] delivered = new long[flips];
    for (int f = 0; f < flips; f++) {
      latency[f] = seenAt[f] - sentAt[f];
      delivered[f] = deliveredAt[f] == 0 ? latency[f] : deliveredAt[f] - sentAt[f];
    }
    // p99 per 10 s of flips: a backlog that grows shows as a rising row. The API server's own
    // delivery per window beside it says whose a slow window is.
    List<Double> windows = new ArrayList<>();
    List<Double> deliveryWindows = new ArrayList<>();
    int perWindow = (int) Math.max(1, params.churnRate() * 10);
    for (int w = 0; w < flips; w += perWindow) {
      windows.add(ms(percentile(Arrays.stream(latency, w, Math.min(flips, w + perWindow)).sorted().toArray(), 99)));
      deliveryWindows.add(ms(percentile(Arrays.stream(delivered, w, Math.min(flips, w + perWindow)).sorted().toArray(), 99)));
    }
    result.put("churn_api_delivery_p99_per_10s_ms", deliveryWindows);
    Arrays.sort(delivered);
    result.put("churn_api_delivery_p50_ms", ms(percentile(delivered, 50)));
    result.put("churn_api_delivery_p99_ms", ms(percentile(delivered, 99)));
    result.put("churn_p99_per_10s_ms", windows);
    long revisions = RegistrarBench.revision(etcd) - revisionBefore;
    long calls = jar.etcdCalls() - callsBefore;
    long cpu = jar.cpuMillis() - cpuBefore;
    long[] sorted = Arrays.stream(latency).sorted().toArray();
    result.put("churn_flips", flips);
    result.put("churn_rate_per_second", params.churnRate());
    result.put("churn_p50_ms", ms(percentile(sorted, 50)));
    result.put("churn_p99_ms", ms(percentile(sorted, 99)));
    result.put("churn_max_ms", ms(sorted[sorted.length - 1]));
    result.put("churn_outstanding_per_second", outstanding);
    result.put("churn_outstanding_max", outstanding.stream().mapToInt(Integer::intValue).max().orElse(0));
    result.put("churn_revisions_per_change", round(revisions / (double) flips));
    result.put("churn_etcd_round_trips_per_change", round(calls / (double) flips));
    result.put("churn_cpu_ms_per_change", round(cpu / (double) flips));
    progress("churn: " + flips + " flips at " + params.churnRate() + "/s: p50 " + result.get("churn_p50_ms") + " ms, p99 "
        + result.get("churn_p99_ms") + " ms, outstanding max " + result.get("churn_outstanding_max"));
  }

  /** The kubelet's write: Ready and ContainersReady, by a strategic merge of the conditions. */
  static void readiness(KubernetesClient client, String pod, boolean ready) {
    String status = ready ? "True" : "False";
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client.pods().inNamespace(NS).withName(pod).subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
        "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + status + "\",\"lastTransitionTime\":\"" + now
            + "\"},{\"type\":\"ContainersReady\",\"status\":\"" + status + "\",\"lastTransitionTime\":\"" + now + "\"}]}}");
  }

  /**
   * A mass of gated Pods turning ContainersReady together (a fresh install, the operator back
   * after an outage): each Pod's time from its patch to its gate True at an informer of the
   * bench's own, and the time until every gate is True.
   */
  static void gateMass(Params params, RealKubeApiServer api, Client etcd, Map<String, Object> result) throws Exception {
    KubernetesClient client = api.client();
    String service = "gate";
    client.resource(TestObjects.registration(NS, service, service, Map.of("app", service), PortSpec.number("http", 80)))
        .create();
    PodSet pods = createPods(client, "g", params.gateMass(), List.of(service), true, params.creators(), result);
    Map<String, Long> gateTrue = new ConcurrentHashMap<>();
    Map<String, Long> flipped = new ConcurrentHashMap<>();
    try (KubernetesClient watcher = api.newClient("registrar-bench-gate-watch", api.url())) {
      SharedIndexInformer<Pod> informer = watcher.pods().inNamespace(NS).withLabel("app", service)
          .inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
              onUpdate(null, pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
              if (PodReadiness.condition(pod, PodReadiness.GATE).map(c -> "True".equals(c.getStatus())).orElse(false)) {
                gateTrue.putIfAbsent(pod.getMetadata().getName(), System.nanoTime());
              }
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {}
          });
      // The operator has seen them all (not ready: no key yet).
      awaitApi(() -> {
        ServiceRegistration r = client.resources(ServiceRegistration.class).inNamespace(NS).withName(service).get();
        return r != null && r.getStatus() != null && Integer.valueOf(params.gateMass()).equals(r.getStatus().getMatchedPods());
      }, Duration.ofMinutes(10));
      ExecutorService writers = Executors.newFixedThreadPool(params.creators());
      long start = System.nanoTime();
      try {
        List<Future<?>> writes = new ArrayList<>();
        for (String name : pods.names()) {
          writes.add(writers.submit(() -> {
            flipped.put(name, System.nanoTime());
            containersReady(client, name);
            return null;
          }));
        }
        for (Future<?> write : writes) {
          write.get();
        }
      } finally {
        writers.shutdown();
      }
      double flipSeconds = (System.nanoTime() - start) / 1e9;
      RegistrarBench.awaitTrue(() -> gateTrue.size() >= params.gateMass(), Duration.ofMinutes(20));
      informer.close();
      long[] latency = Arrays.stream(pods.names()).mapToLong(n -> gateTrue.get(n) - flipped.get(n)).sorted().toArray();
      long last = gateTrue.values().stream().mapToLong(Long::longValue).max().orElse(start);
      result.put("gate_mass_pods", params.gateMass());
      result.put("gate_mass_flips_seconds", round(flipSeconds));
      result.put("gate_mass_p50_ms", ms(percentile(latency, 50)));
      result.put("gate_mass_p99_ms", ms(percentile(latency, 99)));
      result.put("gate_mass_all_true_seconds", round((last - start) / 1e9));
      progress("gate mass: " + params.gateMass() + " Pods, flips sent in " + round(flipSeconds) + " s, p99 "
          + result.get("gate_mass_p99_ms") + " ms, all True after " + result.get("gate_mass_all_true_seconds") + " s");
    }
    awaitCount(etcd, "/services/" + service + "/", params.gateMass(), Duration.ofMinutes(5));
  }

  /** The kubelet's write when the containers turn ready: ContainersReady True (Ready waits for the gate). */
  static void containersReady(KubernetesClient client, String pod) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client.pods().inNamespace(NS).withName(pod).subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
        "{\"status\":{\"conditions\":[{\"type\":\"ContainersReady\",\"status\":\"True\",\"lastTransitionTime\":\""
            + now + "\"}]}}");
  }

  /**
   * Revokes the leases of every key and deletes what is left, reading the keys in pages: the keys
   * of 100,000 Pods in one answer exceed gRPC's 4 MiB message limit.
   */
  static void forget(Client etcd) throws Exception {
    java.util.Set<Long> leases = new java.util.HashSet<>();
    io.etcd.jetcd.ByteSequence from = bytes("/");
    io.etcd.jetcd.ByteSequence end = bytes("0"); // the key after every "/..." key
    while (true) {
      var page = etcd.getKVClient().get(from, io.etcd.jetcd.options.GetOption.builder().withRange(end)
          .withKeysOnly(true).withLimit(10_000).build()).get(30, TimeUnit.SECONDS);
      page.getKvs().forEach(kv -> leases.add(kv.getLease()));
      if (!page.isMore() || page.getKvs().isEmpty()) {
        break;
      }
      byte[] last = page.getKvs().get(page.getKvs().size() - 1).getKey().getBytes();
      byte[] next = java.util.Arrays.copyOf(last, last.length + 1); // the key right after the last one
      from = io.etcd.jetcd.ByteSequence.from(next);
    }
    leases.remove(0L);
    for (long lease : leases) {
      etcd.getLeaseClient().revoke(lease).get(30, TimeUnit.SECONDS);
    }
    etcd.getKVClient().delete(bytes("/"), io.etcd.jetcd.options.DeleteOption.builder().withRange(end).build())
        .get(60, TimeUnit.SECONDS);
  }

  /** Until etcd holds {@code count} keys under {@code prefix}; polled every 20 ms, enough for seconds. */
  static void awaitCount(Client etcd, String prefix, int count, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    var countOnly = io.etcd.jetcd.options.GetOption.builder().isPrefix(true).withCountOnly(true).build();
    while (etcd.getKVClient().get(bytes(prefix), countOnly).get(10, TimeUnit.SECONDS).getCount() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(prefix + ": fewer than " + count + " keys after " + within);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  static void progress(String line) {
    System.out.println("[" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + line);
  }

  /** The shipped jar as a process of its own, with the chart's JVM settings. */
  static final class OperatorJar implements AutoCloseable {
    private final Process process;
    private final long started;
    private final int httpPort;
    private final List<String> jvm;
    private final AtomicLong peakRss = new AtomicLong();
    private final Thread sampler;

    private OperatorJar(Process process, long started, int httpPort, List<String> jvm) {
      this.process = process;
      this.started = started;
      this.httpPort = httpPort;
      this.jvm = jvm;
      this.sampler = Footprint.samplePeakRss(process, peakRss);
    }

    static OperatorJar start(Params params, RealKubeApiServer api, EtcdCluster registry, Map<String, Object> result)
        throws IOException {
      Path jar = params.operatorJar().toAbsolutePath();
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(jar + " is missing: build it first (./mvnw -B package -DskipTests)");
      }
      List<String> jvm = jvmOptions(params);
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      command.addAll(jvm);
      // Extra options for experiments: -XX:StartFlightRecording=..., -XX:NativeMemoryTracking=summary.
      if (!params.operatorJvm().isBlank()) {
        command.addAll(List.of(params.operatorJvm().trim().split("\\s+")));
      }
      command.addAll(List.of("-jar", jar.toString()));
      Path log = Files.createTempFile("registrar-scale-operator-", ".log");
      result.put("operator_log", log.toString());
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().keySet().removeIf(k -> k.startsWith("REGISTRAR_") || k.equals("KUBECONFIG"));
      builder.environment().put("MALLOC_ARENA_MAX", "2");
      builder.environment().put("KUBECONFIG", api.kubeconfig().toString());
      builder.environment().put("REGISTRAR_ETCD_ENDPOINTS", registry.endpointList());
      builder.environment().put("REGISTRAR_WATCH_NAMESPACES", NS);
      builder.environment().put("REGISTRAR_NAME_POLICY", "any");
      builder.environment().put("REGISTRAR_TOPOLOGY", "false");
      if (params.reconcileThreads() > 0) {
        builder.environment().put("REGISTRAR_RECONCILE_THREADS", Integer.toString(params.reconcileThreads()));
      }
      int port = freePort();
      builder.environment().put("REGISTRAR_HTTP_PORT", Integer.toString(port));
      long t0 = System.nanoTime();
      return new OperatorJar(builder.start(), t0, port, jvm);
    }

    /** The chart's JVM settings (its memory limit as -XX:MaxRAM, its javaOptions), or the limit given. */
    static List<String> jvmOptions(Params params) throws IOException {
      Path jar = params.operatorJar().toAbsolutePath();
      List<String> jvm = new ArrayList<>(Footprint.chartJvm(jar.getParent().getParent().getParent()
          .resolve("helm/registrar/values.yaml")));
      if (params.memoryLimitMib() > 0) {
        jvm.set(0, "-XX:MaxRAM=" + params.memoryLimitMib() + "m");
      }
      return jvm;
    }

    private static int freePort() throws IOException {
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
        return socket.getLocalPort();
      }
    }

    double secondsSinceStart() {
      return (System.nanoTime() - started) / 1e9;
    }

    String jvm() {
      return String.join(" ", jvm);
    }

    long rssMib() {
      return Footprint.status(process.pid(), "VmRSS") / 1024;
    }

    long peakRssMib() {
      return Math.max(peakRss.get(), Footprint.status(process.pid(), "VmHWM")) / 1024;
    }

    long liveHeapMib() throws IOException, InterruptedException {
      return Footprint.liveHeapBytes(process.pid()) / (1024 * 1024);
    }

    long threads() {
      return Footprint.status(process.pid(), "Threads");
    }

    /** User and system CPU time of the process so far, in milliseconds (/proc/pid/stat, 100 ticks/s). */
    long cpuMillis() throws IOException {
      String[] fields = Files.readString(Path.of("/proc/" + process.pid() + "/stat")).replaceAll(".*\\) ", "").split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    /** Every KV and lease call the operator made so far (its own counter, from /metrics). */
    long etcdCalls() throws IOException, InterruptedException {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      return (long) response.body().lines().filter(l -> l.startsWith("registrar_etcd_operation_seconds_count"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      sampler.interrupt();
    }
  }
}
