package dev.registrar.examples.grpc;

import dev.registrar.grpc.RegistrarGrpc;
import io.etcd.jetcd.Client;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.util.concurrent.TimeUnit;

/**
 * Calls {@code registrar:///greeter}: the resolver watches the registry, and the default policy,
 * registrar_weighted_round_robin, spreads calls by each instance's weight.
 *
 * <pre>java -cp ... dev.registrar.examples.grpc.GreeterClient http://127.0.0.1:2379 10</pre>
 */
public final class GreeterClient {

  private GreeterClient() {}

  /** One call through the channel. */
  public static String sayHello(ManagedChannel channel, String who) {
    return ClientCalls.blockingUnaryCall(channel, Greeter.SAY_HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), who);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: GreeterClient <etcd-endpoints> [calls]");
      System.exit(2);
    }
    try (Client etcd = Client.builder().endpoints(args[0].split(",")).build()) {
      // The two lines a gRPC user writes: where the registry is, and the target.
      RegistrarGrpc.install(etcd);
      ManagedChannel channel = ManagedChannelBuilder.forTarget("registrar:///greeter").usePlaintext().build();
      int calls = args.length > 1 ? Integer.parseInt(args[1]) : 10;
      for (int i = 0; i < calls; i++) {
        System.out.println(sayHello(channel, "client"));
      }
      channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
