package dev.registrar.examples.grpc;

import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceRegistrar;
import io.etcd.jetcd.Client;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server that registers itself as {@code greeter} once it serves, and deregisters before it
 * stops. In Kubernetes the operator registers the Pods instead; this is the VM or laptop case.
 *
 * <pre>java -cp ... dev.registrar.examples.grpc.GreeterServer http://127.0.0.1:2379 127.0.0.1 50051 100</pre>
 */
public final class GreeterServer implements AutoCloseable {

  private final Server server;
  private final ServiceRegistrar registrar;
  private volatile String name; // address:port, once the port is known

  /** Serves on {@code port} and registers {@code address:port} with {@code weight}. */
  public GreeterServer(Client etcd, String address, int port, int weight) throws Exception {
    ServerServiceDefinition greeter = ServerServiceDefinition.builder(Greeter.SERVICE)
        .addMethod(Greeter.SAY_HELLO, ServerCalls.asyncUnaryCall((who, reply) -> {
          reply.onNext("hello " + who + ", from " + name);
          reply.onCompleted();
        }))
        .build();
    // 1. Serve first: a registered endpoint must already answer.
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress(address, port)).addService(greeter).build().start();
    this.name = address + ":" + server.getPort();
    // 2. Then register (it retries on its own while etcd is away).
    this.registrar = new ServiceRegistrar(etcd, RegistryPrefix.DEFAULT, Duration.ofSeconds(30));
    registrar.register("greeter", new EndpointValue("1.0.0", weight, address, server.getPort(), "grpc", null, null,
        null, Map.of(), new EndpointValue.Owner("vm", null, "greeter", name))).get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.getPort();
  }

  /** 3. Stop being found, 4. let running calls finish, 5. stop. */
  @Override
  public void close() throws InterruptedException {
    registrar.close();
    server.shutdown();
    if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: GreeterServer <etcd-endpoints> <advertised-ip> <port> [weight]");
      System.exit(2);
    }
    Client etcd = Client.builder().endpoints(args[0].split(",")).build();
    int weight = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    GreeterServer server = new GreeterServer(etcd, args[1], Integer.parseInt(args[2]), weight);
    System.out.println("serving greeter on " + args[1] + ":" + server.port() + ", registered with weight " + weight);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      etcd.close();
      stopped.countDown();
    }));
    stopped.await();
  }
}
