package dev.registrar.examples.selfregistration;

import com.sun.net.httpserver.HttpServer;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceRegistrar;
import io.etcd.jetcd.Client;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * An HTTP server outside Kubernetes that registers itself once it serves, and deregisters
 * before it stops serving.
 *
 * <pre>java -cp ... dev.registrar.examples.selfregistration.SelfRegisteringServer http://127.0.0.1:2379 hello 10.0.0.7 8080</pre>
 */
public final class SelfRegisteringServer {

  private SelfRegisteringServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: SelfRegisteringServer <etcd-endpoints> <service-name> <advertised-ip> <port>");
      System.exit(2);
    }
    String service = args[1];
    String address = args[2];
    int port = Integer.parseInt(args[3]);

    Client client = Client.builder().endpoints(args[0].split(",")).build();
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/", exchange -> {
      byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    // 1. Serve first: a registered endpoint must already answer.
    server.start();
    // 2. Then register.
    ServiceRegistrar registrar = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(30));
    // Returns at once; the future completes when the key is in etcd (it retries while etcd is away).
    registrar.register(service, new EndpointValue("1.0.0", 100, address, port, "http", null, null, null,
        Map.of("runtime", "vm"), new EndpointValue.Owner("vm", null, service, address + ":" + port)))
        .thenAccept(lease -> System.out.println("serving on " + port + " and registered as " + registrar.key()
            + " under lease " + Long.toHexString(lease)));

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // 3. Stop being found, 4. stop serving, 5. close the etcd client: in this order.
      registrar.close();
      server.stop(1);
      client.close();
      stopped.countDown();
    }));
    stopped.await();
  }
}
