package dev.registrar.bench;

import dev.registrar.operator.model.PodPruning;
import dev.registrar.operator.testing.TestObjects;
import dev.registrar.testing.etcd.EtcdCluster;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the operator alone costs in memory: the shipped jar in its own process, with the chart's
 * settings read from helm/registrar/values.yaml (its memory limit, given to the JVM as
 * {@code -XX:MaxRAM} so that the heap is sized as in the Pod, its {@code javaOptions}, and the
 * deployment's {@code MALLOC_ARENA_MAX=2}), started against realistic Pods that all exist already.
 */
final class Footprint {

  /** The chart's memory limit and javaOptions, as JVM options: -XX:MaxRAM=512m -XX:MaxRAMPercentage=40 ... */
  static List<String> chartJvm(Path values) throws IOException {
    String yaml = Files.readString(values);
    Matcher options = Pattern.compile("(?m)^javaOptions:\\s*\"([^\"]*)\"").matcher(yaml);
    Matcher limit = Pattern.compile("(?s)\\nresources:.*?limits:\\s*\\n\\s*memory:\\s*(\\d+)Mi").matcher(yaml);
    if (!options.find() || !limit.find()) {
      throw new IllegalStateException("cannot read javaOptions and resources.limits.memory from " + values);
    }
    List<String> jvm = new ArrayList<>(List.of("-XX:MaxRAM=" + limit.group(1) + "m"));
    jvm.addAll(List.of(options.group(1).trim().split("\\s+")));
    return jvm;
  }

  private Footprint() {}

  static void measure(EtcdCluster etcd, RegistrarBench.Params params, Map<String, Object> result) throws Exception {
    perPodBytes(Math.max(500, Math.min(5_000, params.footprintPods())), result);
    if (params.footprintPods() <= 0) {
      return;
    }
    Path jar = params.operatorJar().toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build it first (./mvnw -B package -DskipTests)");
    }
    try (MockKubernetesApi api = MockKubernetesApi.start()) {
      // Stored at once rather than created one by one: the mock's creates slow down with every
      // object it holds, and 100,000 would take it hours. The operator lists them as it would.
      RegistrarBench.createRegistrations(api.client(), "f", params.footprintRegistrations());
      api.preload(RegistrarBench.pods("f", params.footprintRegistrations(), params.footprintPods(), true));
      // The Pod objects just built are garbage now: collect them before the operator's start
      // check asks the mock for an answer within 3 s.
      System.gc();
      api.client().pods().inNamespace("bench").withName("f-pod-0").get();
      Path dir = Files.createTempDirectory("registrar-footprint");
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      // The chart next to the jar: {repo}/operator/target/registrar-operator.jar.
      List<String> chart = chartJvm(jar.getParent().getParent().getParent().resolve("helm/registrar/values.yaml"));
      result.put("footprint_jvm", String.join(" ", chart));
      command.addAll(chart);
      // Extra options for experiments, such as -XX:NativeMemoryTracking=summary.
      String extra = System.getProperty("registrar.footprint.jvm", "");
      if (!extra.isBlank()) {
        command.addAll(List.of(extra.trim().split("\\s+")));
      }
      command.addAll(List.of("-jar", jar.toString()));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("operator.log").toFile());
      builder.environment().keySet().removeIf(k -> k.startsWith("REGISTRAR_") || k.equals("KUBECONFIG"));
      builder.environment().put("MALLOC_ARENA_MAX", "2"); // as the chart's deployment sets it
      builder.environment().put("KUBECONFIG", api.writeKubeconfig(dir.resolve("kubeconfig"), "default").toString());
      builder.environment().put("REGISTRAR_ETCD_ENDPOINTS", etcd.endpointList());
      builder.environment().put("REGISTRAR_HTTP_PORT", Integer.toString(freePort()));
      // The jar loads the whole /services/ root: nothing of an earlier phase may be there.
      result.put("footprint_keys_before_start", etcd.client().getKVClient().get(RegistrarBench.bytes("/"),
          io.etcd.jetcd.options.GetOption.builder().isPrefix(true).withCountOnly(true).build())
          .get(10, TimeUnit.SECONDS).getCount());
      long t0 = System.nanoTime();
      Process process = builder.start();
      AtomicLong peakRss = new AtomicLong();
      Thread sampler = samplePeakRss(process, peakRss);
      try {
        RegistrarBench.awaitKeys(etcd.client(), "/services/f-", params.footprintPods(), Duration.ofMinutes(10));
        result.put("footprint_pods", params.footprintPods());
        result.put("footprint_start_seconds", RegistrarBench.round((System.nanoTime() - t0) / 1e9));
        TimeUnit.SECONDS.sleep(3); // the status patches that follow the keys
        long live = liveHeapBytes(process.pid()); // a full GC, then the live bytes
        TimeUnit.SECONDS.sleep(1);
        result.put("footprint_rss_peak_mib", Math.max(peakRss.get(), status(process.pid(), "VmHWM")) / 1024);
        result.put("footprint_rss_after_gc_mib", status(process.pid(), "VmRSS") / 1024);
        result.put("footprint_heap_live_mib", live / (1024 * 1024));
        result.put("footprint_threads", status(process.pid(), "Threads"));
        if (extra.contains("NativeMemoryTracking")) {
          System.out.println(jcmd(process.pid(), "VM.native_memory", "summary"));
        }
      } finally {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
        sampler.interrupt();
      }
    }
  }

  /** Heap bytes per Pod held as the API serves it and as the operator's cache now keeps it. */
  static void perPodBytes(int count, Map<String, Object> result) {
    long before = usedAfterGc();
    List<Pod> full = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      full.add(TestObjects.deploymentPod("bench", "orders-7d9f8-" + i, "10.1." + (i / 256) + "." + (i % 256),
          Map.of("app", "orders", "pod-template-hash", "7d9f8"), true));
    }
    long withFull = usedAfterGc();
    List<Pod> pruned = full.stream().map(PodPruning::prune).toList();
    full.clear();
    long withPruned = usedAfterGc();
    result.put("pod_bytes_full", (withFull - before) / count);
    result.put("pod_bytes_pruned", (withPruned - before) / count);
    if (pruned.isEmpty()) {
      throw new IllegalStateException(); // keeps the list reachable until here
    }
  }

  private static long usedAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }

  /** A daemon thread that keeps the process's highest RSS (kB, every 100 ms) in {@code peak} while it lives. */
  static Thread samplePeakRss(Process process, AtomicLong peak) {
    Thread sampler = new Thread(() -> {
      while (process.isAlive()) {
        peak.accumulateAndGet(status(process.pid(), "VmRSS"), Math::max);
        try {
          TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
    return sampler;
  }

  /** A value in kB (or a count) from /proc/{pid}/status; 0 when it cannot be read. */
  static long status(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone, or not Linux
    }
    return 0;
  }

  /** jcmd's class histogram: it runs a full GC first; its total is the heap's live bytes. */
  static long liveHeapBytes(long pid) throws IOException, InterruptedException {
    Matcher total = Pattern.compile("Total\\s+(\\d+)\\s+(\\d+)").matcher(jcmd(pid, "GC.class_histogram"));
    return total.find() ? Long.parseLong(total.group(2)) : -1;
  }

  /** What {@code jcmd pid command...} prints (the jcmd next to this JVM's java). */
  static String jcmd(long pid, String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>(List.of(
        Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd").toString(),
        Long.toString(pid)));
    line.addAll(List.of(command));
    Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
