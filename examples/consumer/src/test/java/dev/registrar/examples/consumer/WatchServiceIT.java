package dev.registrar.examples.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.testing.etcd.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Smoke test: the consumer example runs and prints what the registry holds. */
class WatchServiceIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember();

  @Test
  void printsTheServicesInstances() throws Exception {
    ETCD.client().getKVClient().put(ByteSequence.from("/services/orders/10.0.0.1:8080", UTF_8),
        ByteSequence.from(EndpointCodec.encode(new EndpointValue("1.2.0", 100, "10.0.0.1", 8080, "http",
            "orders-1", "shop", null, Map.of(), null)))).get(5, TimeUnit.SECONDS);
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, UTF_8));
    try {
      WatchService.main(new String[] {ETCD.endpointList(), "orders", "0"});
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(UTF_8))
        .contains("orders: 1 instances")
        .contains("10.0.0.1:8080 version=1.2.0 weight=100 pod=orders-1")
        .contains("a weighted pick: 10.0.0.1:8080");
  }
}
