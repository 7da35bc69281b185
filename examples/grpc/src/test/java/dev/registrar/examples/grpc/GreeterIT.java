package dev.registrar.examples.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.grpc.RegistrarGrpc;
import dev.registrar.testing.etcd.EtcdExtension;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Smoke test: two servers register, the client spreads calls 1:3 by weight, a closed server is left out. */
class GreeterIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  static Map<String, Integer> split(ManagedChannel channel, int calls) {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < calls; i++) {
      String answer = GreeterClient.sayHello(channel, "test");
      seen.merge(answer.substring(answer.indexOf("from ") + 5), 1, Integer::sum);
    }
    return seen;
  }

  @Test
  void theClientFindsTheServersByNameAndFollowsTheirWeights() throws Exception {
    RegistrarGrpc.install(ETCD.client());
    try (GreeterServer light = new GreeterServer(ETCD.client(), "127.0.0.1", 0, 100);
         GreeterServer heavy = new GreeterServer(ETCD.client(), "127.0.0.1", 0, 300)) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget("registrar:///greeter").usePlaintext().build();
      try {
        String lightName = "127.0.0.1:" + light.port();
        String heavyName = "127.0.0.1:" + heavy.port();
        await().atMost(Duration.ofSeconds(10)).until(() -> split(channel, 40).size() == 2);
        Map<String, Integer> seen = split(channel, 400);
        System.out.println("grpc example, weights 100/300 over 400 calls: " + seen);
        assertThat(seen).containsEntry(lightName, 100).containsEntry(heavyName, 300);

        light.close();
        assertThat(split(channel, 50)).containsOnlyKeys(heavyName);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        RegistrarGrpc.uninstall();
      }
    }
  }
}
