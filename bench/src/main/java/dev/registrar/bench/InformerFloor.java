package dev.registrar.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The informer floor of the scale bench: a bare fabric8 informer, in a JVM of its own as the
 * operator is, listing the namespace's Pods in pages of the operator's size and syncing. Run from
 * launch to synced, it is what any fabric8 program pays before it can act on the Pods.
 */
final class InformerFloor {

  private InformerFloor() {}

  /** {@code InformerFloor <namespace> <page>}: prints "synced N" once the informer has synced. */
  public static void main(String[] args) {
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      SharedIndexInformer<Pod> informer = client.pods().inNamespace(args[0])
          .withLimit(Long.parseLong(args[1])).inform(); // returns once synced
      System.out.println("synced " + informer.getStore().list().size());
      informer.close();
    }
  }

  /** Seconds from launching the program to its "synced" line, with {@code jvm} options and KUBECONFIG. */
  static double measure(Path kubeconfig, String namespace, long page, List<String> jvm) throws IOException,
      InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvm);
    // This JVM's class path: the bench's jar, or the test class path under Maven.
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), InformerFloor.class.getName(), namespace,
        Long.toString(page)));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("MALLOC_ARENA_MAX", "2");
    long t0 = System.nanoTime();
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0 || !out.contains("synced ")) {
      throw new IllegalStateException("the informer floor program failed: " + out);
    }
    return seconds;
  }
}
