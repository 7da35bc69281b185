package dev.registrar.spring;

import dev.registrar.client.ServiceDiscovery;
import io.etcd.jetcd.Client;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.client.ConditionalOnBlockingDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnReactiveDiscoveryEnabled;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.simple.reactive.SimpleReactiveDiscoveryClientAutoConfiguration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;

/** DiscoveryClient, ReactiveDiscoveryClient and heartbeats, on one watch of the whole registry. */
@AutoConfiguration(after = RegistrarAutoConfiguration.class,
    before = {SimpleDiscoveryClientAutoConfiguration.class, SimpleReactiveDiscoveryClientAutoConfiguration.class})
@ConditionalOnDiscoveryEnabled
@ConditionalOnProperty(prefix = RegistrarProperties.PREFIX, name = {"enabled", "discovery.enabled"}, matchIfMissing = true)
@ConditionalOnBean(Client.class)
public class RegistrarDiscoveryAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  ServiceDiscovery registrarServiceDiscovery(Client client, RegistrarProperties properties) {
    return ServiceDiscovery.start(client, properties.registryPrefix());
  }

  @Bean
  RegistrarHeartbeat registrarHeartbeat(ServiceDiscovery discovery, ApplicationEventPublisher publisher) {
    return new RegistrarHeartbeat(discovery, publisher);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBlockingDiscoveryEnabled
  static class Blocking {
    @Bean
    @ConditionalOnMissingBean(RegistrarDiscoveryClient.class)
    RegistrarDiscoveryClient registrarDiscoveryClient(ServiceDiscovery discovery, RegistrarProperties properties) {
      return new RegistrarDiscoveryClient(discovery, properties.getDiscovery().getNear().locality());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Flux.class)
  @ConditionalOnReactiveDiscoveryEnabled
  static class Reactive {
    @Bean
    @ConditionalOnMissingBean(RegistrarReactiveDiscoveryClient.class)
    RegistrarReactiveDiscoveryClient registrarReactiveDiscoveryClient(ServiceDiscovery discovery,
        RegistrarProperties properties) {
      return new RegistrarReactiveDiscoveryClient(discovery, properties.getDiscovery().getNear().locality());
    }
  }
}
