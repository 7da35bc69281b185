package dev.registrar.examples.consumer;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceDiscovery;
import dev.registrar.client.ServiceInstance;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Watches one service and prints its instances as they change.
 *
 * <pre>java -cp ... dev.registrar.examples.consumer.WatchService http://127.0.0.1:2379 orders [seconds]</pre>
 */
public final class WatchService {

  private WatchService() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: WatchService <etcd-endpoints> <service-name> [seconds to run]");
      System.exit(2);
    }
    String service = args[1];
    long seconds = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
    try (Client client = Client.builder().endpoints(args[0].split(",")).build();
         ServiceDiscovery discovery = ServiceDiscovery.watch(client, RegistryPrefix.DEFAULT, service)) {
      if (!discovery.awaitInitialSync(Duration.ofSeconds(10))) {
        System.out.println("etcd did not answer yet; still trying");
      }
      System.out.println(service + ": " + discovery.instances(service).size() + " instances");
      discovery.instances(service).forEach(i -> System.out.println("  " + describe(i)));
      // Added after the first read, it still hears the present first: one "+" per instance above,
      // then every change.
      discovery.addListener(new ServiceDiscovery.Listener() {
        @Override
        public void added(ServiceInstance instance) {
          System.out.println("+ " + describe(instance));
        }

        @Override
        public void removed(ServiceInstance instance) {
          System.out.println("- " + describe(instance));
        }

        @Override
        public void changed(ServiceInstance before, ServiceInstance after) {
          System.out.println("~ " + describe(after));
        }
      });
      discovery.pick(service, new SplittableRandom())
          .ifPresent(i -> System.out.println("a weighted pick: " + i.endpoint()));
      Thread.sleep(Math.min(seconds, Long.MAX_VALUE / 1000) * 1000);
    }
  }

  private static String describe(ServiceInstance instance) {
    return instance.endpoint() + " version=" + instance.version() + " weight=" + instance.weight()
        + (instance.value().pod() == null ? "" : " pod=" + instance.value().pod());
  }
}
