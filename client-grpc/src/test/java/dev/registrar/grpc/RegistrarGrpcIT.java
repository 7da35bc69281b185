package dev.registrar.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.testing.etcd.EtcdExtension;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * grpc-java channels on {@code registrar:///} targets, against real Netty servers on loopback and
 * a real etcd: weights, drain, deregistration under load, an etcd restart, version and zone.
 */
class RegistrarGrpcIT {

  @RegisterExtension
  static final EtcdExtension etcd = EtcdExtension.singleMember();

  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @BeforeEach
  void install() {
    RegistrarGrpc.install(etcd.client(), RegistryPrefix.DEFAULT);
  }

  @AfterEach
  void close() throws Exception {
    java.util.Collections.reverse(closeLater);
    for (AutoCloseable closeable : closeLater) {
      closeable.close();
    }
    RegistrarGrpc.uninstall();
  }

  private TestServer server(String name) throws Exception {
    TestServer server = new TestServer(name);
    closeLater.add(server);
    return server;
  }

  private ManagedChannel channel(String target) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    closeLater.add(() -> {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    });
    return channel;
  }

  private static Map<String, Long> split(ManagedChannel channel, int calls) {
    Map<String, Long> seen = new LinkedHashMap<>();
    for (int i = 0; i < calls; i++) {
      seen.merge(TestServer.hello(channel), 1L, Long::sum);
    }
    return seen;
  }

  /** Two servers "a" and "b" registered as {@code service} with weight 100, and a warm channel to it. */
  record TwoServers(Registry registry, TestServer a, TestServer b, ManagedChannel channel) {}

  private TwoServers twoServers(String service) throws Exception {
    Registry registry = new Registry(etcd.client());
    TestServer a = server("a");
    TestServer b = server("b");
    registry.put(service, a, 100);
    registry.put(service, b, 100);
    ManagedChannel channel = channel("registrar:///" + service);
    warmUp(channel, "a", "b");
    return new TwoServers(registry, a, b, channel);
  }

  /** {@code count} calls of the slow method, left running. */
  private static List<com.google.common.util.concurrent.ListenableFuture<String>> slowCalls(ManagedChannel channel,
      int count) {
    return IntStream.range(0, count).mapToObj(i -> ClientCalls.futureUnaryCall(channel.newCall(TestServer.SLOW,
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)), "x")).toList();
  }

  /** Calls until every named server has answered: all subchannels are READY. */
  private static void warmUp(ManagedChannel channel, String... names) {
    await().atMost(Duration.ofSeconds(10)).until(() -> split(channel, 50).keySet().containsAll(List.of(names)));
  }

  @Test
  void trafficFollowsTheRegistryWeights() throws Exception {
    Registry registry = new Registry(etcd.client());
    TestServer a = server("a");
    TestServer b = server("b");
    TestServer c = server("c");
    registry.put("orders", a, 100);
    registry.put("orders", b, 300);
    registry.put("orders", c, 600);
    ManagedChannel channel = channel("registrar:///orders");
    warmUp(channel, "a", "b", "c");

    Map<String, Long> seen = split(channel, 10_000);
    System.out.printf("grpc weights 100/300/600 over 10000 calls: a=%d b=%d c=%d%n",
        seen.get("a"), seen.get("b"), seen.get("c"));
    assertThat(seen.get("a") / 100.0).isCloseTo(10.0, org.assertj.core.data.Offset.offset(2.0));
    assertThat(seen.get("b") / 100.0).isCloseTo(30.0, org.assertj.core.data.Offset.offset(2.0));
    assertThat(seen.get("c") / 100.0).isCloseTo(60.0, org.assertj.core.data.Offset.offset(2.0));

    // A weight change is applied without reconnecting: b to 0 drains it.
    registry.put("orders", b, 0);
    await().atMost(Duration.ofSeconds(1)).until(() -> !split(channel, 20).containsKey("b"));
    assertThat(split(channel, 1_000)).containsOnlyKeys("a", "c");
  }

  @Test
  void aUserCanChooseAnotherPolicy() throws Exception {
    Registry registry = new Registry(etcd.client());
    TestServer a = server("a");
    TestServer b = server("b");
    registry.put("even", a, 100);
    registry.put("even", b, 900);
    ManagedChannel channel = ManagedChannelBuilder.forTarget("registrar:///even").usePlaintext()
        .disableServiceConfigLookUp().defaultLoadBalancingPolicy("round_robin").build();
    closeLater.add(channel::shutdownNow);
    warmUp(channel, "a", "b");
    Map<String, Long> seen = split(channel, 1_000);
    assertThat(seen.get("a")).isEqualTo(500);
    assertThat(seen.get("b")).isEqualTo(500);
  }

  @Test
  void weightZeroDrainsWhileCallsInFlightFinish() throws Exception {
    TwoServers two = twoServers("drain");
    Registry registry = two.registry();
    TestServer a = two.a();
    TestServer b = two.b();
    ManagedChannel channel = two.channel();
    // Slow calls in flight on both.
    var slow = slowCalls(channel, 4);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.slowStarted.get() > 0 && b.slowStarted.get() > 0);

    long drained = System.nanoTime();
    registry.put("drain", a, 0);
    await().atMost(Duration.ofSeconds(1)).until(() -> !split(channel, 20).containsKey("a"));
    long lastToA = a.calls.get();
    assertThat(split(channel, 500)).containsOnlyKeys("b");
    assertThat(a.calls.get()).isEqualTo(lastToA);
    System.out.printf("grpc drain: last new call to the drained instance %.1f ms after weight 0 was written"
        + " (0: none after it)%n", Math.max(0, a.lastCallNanos - drained) / 1e6);

    a.release();
    b.release();
    for (var call : slow) {
      assertThat(call.get(10, TimeUnit.SECONDS)).endsWith("(slow)"); // finished on the drained one too
    }
    assertThat(a.slowStarted.get()).isGreaterThan(0);
  }

  @Test
  void aDeregisteredInstanceGetsNoNewCallsAndNoCallFails() throws Exception {
    TwoServers two = twoServers("gone");
    Registry registry = two.registry();
    TestServer a = two.a();
    TestServer b = two.b();
    ManagedChannel channel = two.channel();
    var slowOnA = slowCalls(channel, 4);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.slowStarted.get() > 0);

    long deleted;
    try (CallStream stream = new CallStream(channel, 4)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> stream.succeeded.get() > 500);
      deleted = System.nanoTime();
      registry.delete("gone", a);
      await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
          .until(() -> a.lastCallNanos < System.nanoTime() - 200_000_000L);
      long afterDelete = stream.succeeded.get();
      await().atMost(Duration.ofSeconds(5)).until(() -> stream.succeeded.get() > afterDelete + 1_000);
      stream.close();
      System.out.printf("grpc deregistration: last new call %.1f ms after the delete; %d calls, %d failed%n",
          (a.lastCallNanos - deleted) / 1e6, stream.succeeded.get(), stream.failures.size());
      assertThat(stream.failures).isEmpty();
    }
    assertThat(a.lastCallNanos - deleted).isLessThan(TimeUnit.SECONDS.toNanos(1));
    a.release();
    b.release();
    for (var call : slowOnA) {
      assertThat(call.get(10, TimeUnit.SECONDS)).endsWith("(slow)");
    }
  }

  @Test
  void anEtcdRestartFailsNoCall() throws Exception {
    TwoServers two = twoServers("steady");
    Registry registry = two.registry();
    ManagedChannel channel = two.channel();
    try (CallStream stream = new CallStream(channel, 2)) {
      etcd.etcd().stopAll();
      long during = stream.succeeded.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.succeeded.get() > during + 2_000);
      etcd.etcd().startAll();
      etcd.etcd().awaitHealthy();
      // A change after the restart still arrives: the watch is back.
      TestServer c = server("c");
      registry.put("steady", c, 100);
      await().atMost(Duration.ofSeconds(15)).until(() -> c.calls.get() > 0);
      stream.close();
      System.out.printf("grpc etcd restart: %d calls, %d failed%n", stream.succeeded.get(), stream.failures.size());
      assertThat(stream.failures).isEmpty();
    }
  }

  @Test
  void versionFiltersAndZonePrefers() throws Exception {
    Registry registry = new Registry(etcd.client());
    TestServer v1 = server("v1");
    TestServer v2a = server("v2a");
    TestServer v2b = server("v2b");
    registry.put("shop", v1, 100, "1.0", "zone-a");
    registry.put("shop", v2a, 100, "2.0", "zone-a");
    registry.put("shop", v2b, 100, "2.0", "zone-b");

    ManagedChannel v2 = channel("registrar:///shop?version=2.0");
    warmUp(v2, "v2a", "v2b");
    assertThat(split(v2, 200)).containsOnlyKeys("v2a", "v2b");

    ManagedChannel inB = channel("registrar:///shop?zone=zone-b");
    warmUp(inB, "v2b");
    assertThat(split(inB, 200)).containsOnlyKeys("v2b");
    // Nothing left to call in zone-b: all zones.
    registry.put("shop", v2b, 0, "2.0", "zone-b");
    await().atMost(Duration.ofSeconds(5)).until(() -> split(inB, 50).keySet().containsAll(List.of("v1", "v2a")));
    assertThat(split(inB, 200)).containsOnlyKeys("v1", "v2a");
  }

  @Test
  void anEmptyServiceFailsFastAndSaysSo() throws Exception {
    ManagedChannel channel = channel("registrar:///nobody?version=3");
    assertThatThrownBy(() -> TestServer.hello(channel)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription())
          .isEqualTo("no instance of registrar:///nobody?version=3 is registered");
    });
    // An instance arriving later is used at once.
    Registry registry = new Registry(etcd.client());
    TestServer late = server("late");
    registry.put("nobody", late, 100, "3", null);
    await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> TestServer.hello(channel).equals("late"));
  }

  @Test
  void withoutARegistryTheChannelSaysWhatToDo() {
    RegistrarGrpc.uninstall();
    assertThatThrownBy(() -> ManagedChannelBuilder.forTarget("registrar:///orders").usePlaintext().build())
        .hasMessageContaining("call RegistrarGrpc.install(etcdClient, prefix)");
    assertThatThrownBy(() -> ManagedChannelBuilder.forTarget("registrar://host/orders").usePlaintext().build())
        .hasMessageContaining("registrar targets have no authority");
    // A channel's own registry, without anything installed.
    ManagedChannel own = RegistrarGrpc.forTarget("registrar:///own", etcd.client(), RegistryPrefix.DEFAULT)
        .usePlaintext().build();
    closeLater.add(own::shutdownNow);
    assertThatThrownBy(() -> TestServer.hello(own)).isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("no instance of registrar:///own is registered");
  }
}
