package dev.registrar.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.testing.etcd.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * Real Spring Boot applications on a real etcd: providers register themselves, a consumer calls
 * them by service name through a {@code @LoadBalanced RestClient}, and one leaves under load.
 */
class RegistrarSpringIT {

  @RegisterExtension
  static final EtcdExtension etcd = EtcdExtension.singleMember();

  static ConfigurableApplicationContext light;
  static ConfigurableApplicationContext heavy;
  static final List<ConfigurableApplicationContext> others = new ArrayList<>();

  @BeforeAll
  static void providers() {
    light = TestApps.run(TestApps.Provider.class, etcd.endpointList(), "spring.application.name=greeter",
        "app.name=light", "spring.cloud.registrar.registration.weight=100",
        "spring.cloud.registrar.registration.version=1.0", "spring.cloud.registrar.registration.zone=zone-a",
        "spring.cloud.registrar.registration.metadata.team=greetings",
        "spring.cloud.registrar.registration.metadata.cluster=eu",
        "management.endpoints.web.exposure.include=serviceregistry");
    heavy = TestApps.run(TestApps.Provider.class, etcd.endpointList(), "spring.application.name=greeter",
        "app.name=heavy", "spring.cloud.registrar.registration.weight=300",
        "spring.cloud.registrar.registration.version=2.0", "spring.cloud.registrar.registration.zone=zone-b",
        "spring.cloud.registrar.registration.metadata.cluster=us");
  }

  @AfterAll
  static void close() {
    others.forEach(ConfigurableApplicationContext::close);
    heavy.close();
    light.close();
  }

  static ConfigurableApplicationContext consumer(String... properties) {
    List<String> all = new ArrayList<>(List.of("spring.application.name=caller",
        "spring.cloud.registrar.registration.enabled=false"));
    all.addAll(List.of(properties));
    ConfigurableApplicationContext context = TestApps.run(TestApps.Consumer.class, etcd.endpointList(),
        all.toArray(String[]::new));
    others.add(context);
    return context;
  }

  static ConfigurableApplicationContext weighted;

  /** One consumer with the weighted configuration, shared by the tests that can share it. */
  static synchronized ConfigurableApplicationContext weightedConsumer() {
    if (weighted == null) {
      weighted = consumer("spring.cloud.loadbalancer.configurations=weighted");
    }
    return weighted;
  }

  static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  static List<KeyValue> keys(String service) throws Exception {
    return etcd.client().getKVClient().get(ByteSequence.from("/services/" + service + "/", UTF_8),
        GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS).getKvs();
  }

  static String call(RestClient client, String url) {
    return client.get().uri(url).retrieve().body(String.class);
  }

  static Map<String, Integer> split(RestClient client, String url, int calls) {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < calls; i++) {
      seen.merge(call(client, url), 1, Integer::sum);
    }
    return seen;
  }

  @Test
  void appsRegisterThemselvesAndAreCalledByNameAsWeighted() throws Exception {
    // Each provider's key, on a lease of its own, with the value it was configured with.
    assertThat(keys("greeter")).hasSize(2).allSatisfy(kv -> assertThat(kv.getLease()).isNotZero());
    EndpointValue lightValue = EndpointCodec.decode(keys("greeter").stream()
        .filter(kv -> kv.getKey().toString(UTF_8).endsWith(":" + port(light))).findFirst().orElseThrow()
        .getValue().getBytes());
    assertThat(lightValue.weight()).isEqualTo(100);
    assertThat(lightValue.version()).isEqualTo("1.0");
    assertThat(lightValue.zone()).isEqualTo("zone-a");
    assertThat(lightValue.metadata()).containsEntry("team", "greetings");

    ConfigurableApplicationContext consumer = weightedConsumer();
    DiscoveryClient discovery = consumer.getBean(DiscoveryClient.class);
    assertThat(discovery.getServices()).contains("greeter");
    assertThat(discovery.getInstances("greeter")).hasSize(2).anySatisfy(instance -> {
      assertThat(instance).isInstanceOf(RegistrarServiceInstance.class);
      assertThat(instance.getPort()).isEqualTo(port(light));
      assertThat(instance.getUri().toString()).isEqualTo("http://127.0.0.1:" + port(light));
      assertThat(instance.getMetadata()).containsEntry("weight", "100").containsEntry("version", "1.0")
          .containsEntry("zone", "zone-a").containsEntry("team", "greetings");
    });
    List<ServiceInstance> reactive = consumer.getBean(ReactiveDiscoveryClient.class).getInstances("greeter")
        .collectList().block(Duration.ofSeconds(5));
    assertThat(reactive).containsExactlyInAnyOrderElementsOf(discovery.getInstances("greeter"));

    RestClient client = consumer.getBean(RestClient.Builder.class).build();
    Map<String, Integer> seen = split(client, "http://greeter/hello", 400);
    System.out.println("spring weights 100/300 over 400 calls: " + seen);
    assertThat(seen.get("light")).isBetween(80, 120);
    assertThat(seen.get("heavy")).isBetween(280, 320);

    // A heartbeat for each change, carrying the etcd revision.
    TestApps.Consumer app = consumer.getBean(TestApps.Consumer.class);
    int before = app.heartbeats.size();
    ConfigurableApplicationContext third = TestApps.run(TestApps.Provider.class, etcd.endpointList(),
        "spring.application.name=other", "app.name=other");
    others.add(third);
    await().atMost(Duration.ofSeconds(5)).until(() -> app.heartbeats.size() > before);
    assertThat(app.heartbeats.get(app.heartbeats.size() - 1)).isInstanceOf(Long.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> discovery.getServices().contains("other"));
  }

  @Test
  void oneLineOfNearKeepsCallsInTheCallersZoneThenClusterThenAnywhere() {
    // light: zone-a of cluster eu; heavy: zone-b of cluster us.
    ConfigurableApplicationContext inUs = consumer("spring.cloud.registrar.discovery.near.zone=zone-a",
        "spring.cloud.registrar.discovery.near.cluster=us");
    assertThat(inUs.getBean(DiscoveryClient.class).getInstances("greeter")).extracting(ServiceInstance::getPort)
        .as("no instance in zone-a of us: the rest of us").containsExactly(port(heavy));
    assertThat(split(inUs.getBean(RestClient.Builder.class).build(), "http://greeter/hello", 20)).containsOnlyKeys("heavy");
    ConfigurableApplicationContext inZoneA = consumer("spring.cloud.registrar.discovery.near.zone=zone-a");
    assertThat(inZoneA.getBean(DiscoveryClient.class).getInstances("greeter")).extracting(ServiceInstance::getPort)
        .containsExactly(port(light));
    ConfigurableApplicationContext elsewhere = consumer("spring.cloud.registrar.discovery.near.cluster=ap");
    assertThat(elsewhere.getBean(DiscoveryClient.class).getInstances("greeter")).as("no such cluster: anywhere")
        .hasSize(2);
  }

  @Test
  void zonePreferenceReadsTheZoneUnchanged() {
    ConfigurableApplicationContext consumer = consumer("spring.cloud.loadbalancer.configurations=zone-preference",
        "spring.cloud.loadbalancer.zone=zone-a");
    RestClient client = consumer.getBean(RestClient.Builder.class).build();
    assertThat(split(client, "http://greeter/hello", 50)).containsOnlyKeys("light");
  }

  @Test
  void theServiceRegistryEndpointTakesAnInstanceOutAndBack() throws Exception {
    RestClient plain = RestClient.create("http://127.0.0.1:" + port(light));
    assertThat(call(plain, "/actuator/serviceregistry")).isEqualTo("UP");
    plain.post().uri("/actuator/serviceregistry").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
        .body("{\"status\":\"DOWN\"}").retrieve().toBodilessEntity();
    assertThat(keys("greeter")).hasSize(1);
    assertThat(call(plain, "/actuator/serviceregistry")).isEqualTo("DOWN");
    plain.post().uri("/actuator/serviceregistry").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
        .body("{\"status\":\"UP\"}").retrieve().toBodilessEntity();
    assertThat(keys("greeter")).hasSize(2);
    assertThat(call(plain, "/actuator/serviceregistry")).isEqualTo("UP");
  }

  @Test
  void anAppThatClosesIsGoneAtOnceAndNoCallFails() throws Exception {
    ConfigurableApplicationContext stays = TestApps.run(TestApps.Provider.class, etcd.endpointList(),
        "spring.application.name=leaving", "app.name=stays");
    others.add(stays);
    ConfigurableApplicationContext leaves = TestApps.run(TestApps.Provider.class, etcd.endpointList(),
        "spring.application.name=leaving", "app.name=leaves");
    ConfigurableApplicationContext consumer = weightedConsumer();
    RestClient client = consumer.getBean(RestClient.Builder.class).build();
    await().atMost(Duration.ofSeconds(5)).until(() -> split(client, "http://leaving/hello", 20).size() == 2);

    AtomicLong succeeded = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Thread> callers = new ArrayList<>();
    var running = new java.util.concurrent.atomic.AtomicBoolean(true);
    for (int i = 0; i < 3; i++) {
      Thread caller = new Thread(() -> {
        while (running.get()) {
          try {
            call(client, "http://leaving/hello");
            succeeded.incrementAndGet();
          } catch (RuntimeException e) {
            failures.add(e.toString());
          }
        }
      });
      caller.start();
      callers.add(caller);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> succeeded.get() > 200);
    long start = System.nanoTime();
    Thread closer = new Thread(leaves::close);
    closer.start();
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5)).until(() -> keys("leaving").size() == 1);
    long gone = System.nanoTime() - start;
    // Deregistered before the web server stops: it still answers now.
    assertThat(call(RestClient.create("http://127.0.0.1:" + port(leaves)), "/hello")).isEqualTo("leaves");
    closer.join(15_000);
    long afterClose = succeeded.get();
    await().atMost(Duration.ofSeconds(5)).until(() -> succeeded.get() > afterClose + 200);
    running.set(false);
    for (Thread caller : callers) {
      caller.join(5_000);
    }
    System.out.printf("spring deregistration: key gone %.0f ms after close() began; %d calls, %d failed%n",
        gone / 1e6, succeeded.get(), failures.size());
    assertThat(failures).isEmpty();
    assertThat(gone).isLessThan(TimeUnit.SECONDS.toNanos(1));
    assertThat(split(client, "http://leaving/hello", 20)).containsOnlyKeys("stays");
  }
}
