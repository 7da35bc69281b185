package dev.registrar.operator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's HTTP endpoints: {@code /healthz} (the process is alive), {@code /readyz}
 * (informers synced and etcd reachable; 503 with the reason otherwise) and {@code /metrics}
 * (Prometheus text format).
 */
public final class HttpEndpoints implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor;

  /** @param notReadyReason why the operator is not ready, or empty when it is */
  public HttpEndpoints(int port, Supplier<Optional<String>> notReadyReason, Supplier<String> metrics) {
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on HTTP port " + port, e);
    }
    executor = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "registrar-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n"));
    server.createContext("/metrics", exchange -> respond(exchange, 200, metrics.get(),
        "text/plain; version=0.0.4; charset=utf-8"));
    server.createContext("/readyz", exchange -> {
      Optional<String> reason = notReadyReason.get();
      respond(exchange, reason.isPresent() ? 503 : 200, reason.map(r -> "not ready: " + r + "\n").orElse("ok\n"));
    });
  }

  public void start() {
    server.start();
  }

  /** The port actually bound: the configured one, or the one the OS chose for port 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    respond(exchange, status, body, "text/plain; charset=utf-8");
  }

  private static void respond(HttpExchange exchange, int status, String body, String contentType)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
