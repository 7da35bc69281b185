package dev.registrar.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Before anything starts: can the Kubernetes API be reached, and where did its URL come from?
 * Without this, a missing cluster shows up 20 s later as a wall of nested stack traces that never
 * name the URL.
 */
final class KubernetesApiCheck {

  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(3);

  private KubernetesApiCheck() {}

  /** Where fabric8 took the API server's URL from, in words. */
  static String source(Config config, Map<String, String> env) {
    if (config.getFile() != null) {
      String context = config.getCurrentContext() == null ? "(none)" : config.getCurrentContext().getName();
      return "kubeconfig " + config.getFile() + ", context " + context;
    }
    if (env.containsKey("KUBERNETES_SERVICE_HOST")) {
      return "in-cluster configuration (KUBERNETES_SERVICE_HOST=" + env.get("KUBERNETES_SERVICE_HOST") + ")";
    }
    return "fabric8's default: no kubeconfig (KUBECONFIG " + (env.containsKey("KUBECONFIG") ? "=" + env.get("KUBECONFIG")
        : "unset") + ", ~/.kube/config absent) and not running in a pod";
  }

  /**
   * Empty when the API server answered within {@code within} (any HTTP status but 401 counts as
   * an answer: authorization is checked later, per call); otherwise the cause, in words.
   */
  static Optional<String> problem(KubernetesClient kubernetes, Duration within) {
    // Our own attempts, each failing fast with its real cause: fabric8's retries with backoff
    // would turn an unresolvable name into a silent wait.
    Config once = new ConfigBuilder(kubernetes.getConfiguration()).withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(once).build()) {
      return problem(client, within, once.getMasterUrl());
    }
  }

  private static Optional<String> problem(KubernetesClient client, Duration within, String url) {
    String version = (url.endsWith("/") ? url : url + "/") + "version";
    long deadline = System.nanoTime() + within.toNanos();
    String cause;
    do {
      long started = System.nanoTime();
      try {
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(version)
            .timeout(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).build();
        HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class)
            .get(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (response.code() != 401) {
          return Optional.empty();
        }
        return Optional.of("it rejected the credentials (HTTP 401 Unauthorized)");
      } catch (TimeoutException e) {
        cause = "no answer within " + ATTEMPT_TIMEOUT.toSeconds() + " s";
      } catch (ExecutionException e) {
        cause = describe(e.getCause() == null ? e : e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted");
      } catch (RuntimeException e) {
        cause = describe(e);
      }
      sleepUntil(started + TimeUnit.SECONDS.toNanos(1));
    } while (System.nanoTime() < deadline);
    return Optional.of(cause);
  }

  /**
   * The chain of causes, class and message, without the wrappers: "ConnectException caused by
   * UnresolvedAddressException" says what a bare UnresolvedAddressException does not.
   */
  static String describe(Throwable error) {
    java.util.List<String> parts = new java.util.ArrayList<>();
    for (Throwable t = error; t != null && parts.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException) {
        continue;
      }
      String message = t.getMessage();
      boolean repeatsCause = message != null && t.getCause() != null && message.equals(t.getCause().toString());
      parts.add(t.getClass().getSimpleName()
          + (message == null || message.isBlank() || repeatsCause ? "" : ": " + message));
    }
    return String.join(" caused by ", parts);
  }

  private static void sleepUntil(long nanoTime) {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
