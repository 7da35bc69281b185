package dev.registrar.spring;

import dev.registrar.client.ServiceNames;
import io.etcd.jetcd.Client;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationAutoConfiguration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistryAutoConfiguration;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The ServiceRegistry, this application's Registration, and its automatic registration. */
@AutoConfiguration(after = {RegistrarAutoConfiguration.class, UtilAutoConfiguration.class},
    before = {ServiceRegistryAutoConfiguration.class, AutoServiceRegistrationAutoConfiguration.class})
@ConditionalOnProperty(prefix = RegistrarProperties.PREFIX, name = {"enabled", "registration.enabled"}, matchIfMissing = true)
@ConditionalOnProperty(name = "spring.cloud.service-registry.enabled", matchIfMissing = true)
@ConditionalOnBean(Client.class)
public class RegistrarServiceRegistryAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  RegistrarServiceRegistry registrarServiceRegistry(Client client, RegistrarProperties properties) {
    return new RegistrarServiceRegistry(client, properties.registryPrefix(), properties.getRegistration().getTtl());
  }

  @Bean
  @ConditionalOnMissingBean
  RegistrarRegistration registrarRegistration(RegistrarProperties properties, Environment environment,
      InetUtils inetUtils) {
    RegistrarProperties.Registration settings = properties.getRegistration();
    String name = settings.getServiceName() != null ? settings.getServiceName()
        : environment.getProperty("spring.application.name");
    if (name == null || name.isBlank()) {
      throw new IllegalStateException("Registrar cannot register this application: it has no service name. Set "
          + "spring.application.name or " + RegistrarProperties.PREFIX + ".registration.service-name, or turn "
          + "registration off with " + RegistrarProperties.PREFIX + ".registration.enabled=false");
    }
    if (!ServiceNames.isValid(name)) {
      throw new IllegalStateException("Registrar cannot register this application as '" + name
          + "' (spring.application.name): a service name is a DNS-1123 label (lowercase letters, digits and '-',"
          + " at most " + ServiceNames.MAX_LENGTH + " characters). Set " + RegistrarProperties.PREFIX
          + ".registration.service-name");
    }
    String host = settings.getHost() != null ? settings.getHost()
        : inetUtils.findFirstNonLoopbackHostInfo().getIpAddress();
    return new RegistrarRegistration(name, host, settings);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebServerInitializedEvent.class)
  @ConditionalOnProperty(name = "spring.cloud.service-registry.auto-registration.enabled", matchIfMissing = true)
  static class Automatic {
    @Bean
    RegistrarAutoRegistration registrarAutoRegistration(RegistrarServiceRegistry registry,
        RegistrarRegistration registration, RegistrarProperties properties) {
      return new RegistrarAutoRegistration(registry, registration, properties.getRegistration());
    }
  }
}
