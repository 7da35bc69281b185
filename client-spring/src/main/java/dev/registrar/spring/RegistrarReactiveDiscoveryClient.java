package dev.registrar.spring;

import dev.registrar.client.Locality;
import dev.registrar.client.ServiceDiscovery;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** The reactive face of {@link RegistrarDiscoveryClient}: same view, never blocking an event loop. */
public final class RegistrarReactiveDiscoveryClient implements ReactiveDiscoveryClient {

  private final ServiceDiscovery discovery;
  private final Locality near;

  public RegistrarReactiveDiscoveryClient(ServiceDiscovery discovery) {
    this(discovery, Locality.ANYWHERE);
  }

  public RegistrarReactiveDiscoveryClient(ServiceDiscovery discovery, Locality near) {
    this.discovery = discovery;
    this.near = near;
  }

  @Override
  public String description() {
    return "Registrar (etcd) reactive discovery client";
  }

  @Override
  public Flux<ServiceInstance> getInstances(String serviceId) {
    return withFirstRead(Flux.defer(() -> Flux.fromIterable(RegistrarDiscoveryClient.instances(discovery, serviceId, near))));
  }

  @Override
  public Flux<String> getServices() {
    return withFirstRead(Flux.defer(() -> Flux.fromIterable(discovery.services())));
  }

  /** Answers at once once the registry was read; before that, waits for it off the caller's thread. */
  private <T> Flux<T> withFirstRead(Flux<T> answer) {
    if (discovery.lastSync().isPresent()) {
      return answer;
    }
    return Flux.defer(() -> {
      RegistrarDiscoveryClient.awaitFirstRead(discovery);
      return answer;
    }).subscribeOn(Schedulers.boundedElastic());
  }
}
