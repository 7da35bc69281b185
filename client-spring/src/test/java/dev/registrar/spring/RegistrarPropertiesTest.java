package dev.registrar.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Binding and validation of {@code spring.cloud.registrar.*} in a real (non-web) application
 * context. Nothing here talks to etcd: building the client does not connect.
 */
class RegistrarPropertiesTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  static ConfigurableApplicationContext run(String... properties) {
    // As command-line arguments: above the defaults, as an application's own settings are.
    return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.main.banner-mode=off", "spring.application.name=binding")
        .run(java.util.Arrays.stream(properties).map(p -> "--" + p).toArray(String[]::new));
  }

  /** Every message in the chain: what Boot prints when startup fails. */
  static String failure(String... properties) {
    Throwable thrown = catchThrowable(() -> run(properties).close());
    assertThat(thrown).as("startup should fail").isNotNull();
    List<String> messages = new ArrayList<>();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      messages.add(String.valueOf(t.getMessage()));
    }
    return String.join("\n", messages);
  }

  @Test
  void propertiesBind() {
    try (ConfigurableApplicationContext context = run(
        "spring.cloud.registrar.endpoints=http://10.0.0.1:2379,http://127.0.0.2:2379",
        "spring.cloud.registrar.prefix=/registry/prod",
        "spring.cloud.registrar.registration.host=10.1.2.3",
        "spring.cloud.registrar.registration.port=8443",
        "spring.cloud.registrar.registration.weight=0",
        "spring.cloud.registrar.registration.version=2.1.0",
        "spring.cloud.registrar.registration.zone=eu-1a",
        "spring.cloud.registrar.registration.metadata.protocol=h2",
        "spring.cloud.registrar.registration.ttl=45s",
        "spring.cloud.registrar.registration.deregistration-delay=0",
        // With a port set even a non-web application registers at startup; not here (no etcd).
        "spring.cloud.service-registry.auto-registration.enabled=false")) {
      RegistrarProperties properties = context.getBean(RegistrarProperties.class);
      assertThat(properties.getEndpoints()).containsExactly(URI.create("http://10.0.0.1:2379"),
          URI.create("http://127.0.0.2:2379"));
      assertThat(properties.registryPrefix().servicePath("binding")).isEqualTo("/registry/prod/binding/");
      assertThat(properties.getRegistration().getTtl()).isEqualTo(Duration.ofSeconds(45));
      assertThat(properties.getRegistration().getDeregistrationDelay()).isZero();
      RegistrarRegistration registration = context.getBean(RegistrarRegistration.class);
      assertThat(registration.getServiceId()).isEqualTo("binding");
      assertThat(registration.getInstanceId()).isEqualTo("10.1.2.3:8443");
      assertThat(registration.value().weight()).isZero();
      assertThat(registration.value().version()).isEqualTo("2.1.0");
      assertThat(registration.value().zone()).isEqualTo("eu-1a");
      assertThat(registration.value().metadata()).containsEntry("protocol", "h2");
      assertThat(registration.getMetadata()).containsEntry("weight", "0").containsEntry("zone", "eu-1a");
      assertThat(context.getBeansOfType(DiscoveryClient.class).values()).anyMatch(RegistrarDiscoveryClient.class::isInstance);
      // Spring Cloud LoadBalancer's cache would hide removals; off unless the application says otherwise.
      assertThat(context.getEnvironment().getProperty("spring.cloud.loadbalancer.cache.enabled")).isEqualTo("false");
    }
    // An application's own choice wins.
    org.springframework.core.env.StandardEnvironment own = new org.springframework.core.env.StandardEnvironment();
    own.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("application",
        java.util.Map.of("spring.cloud.loadbalancer.cache.enabled", "true")));
    new LoadBalancerCacheDefaults().postProcessEnvironment(own, null);
    assertThat(own.getProperty("spring.cloud.loadbalancer.cache.enabled")).isEqualTo("true");
  }

  @Test
  void eachSwitchTurnsItsPartOff() {
    try (ConfigurableApplicationContext context = run("spring.cloud.registrar.discovery.enabled=false")) {
      assertThat(context.getBeansOfType(RegistrarDiscoveryClient.class)).isEmpty();
      assertThat(context.getBeansOfType(RegistrarServiceRegistry.class)).hasSize(1);
    }
    try (ConfigurableApplicationContext context = run("spring.cloud.registrar.registration.enabled=false",
        "spring.application.name=")) {
      assertThat(context.getBeansOfType(ServiceRegistry.class)).isEmpty();
      assertThat(context.getBeansOfType(RegistrarDiscoveryClient.class)).hasSize(1);
    }
    try (ConfigurableApplicationContext context = run("spring.cloud.registrar.enabled=false")) {
      assertThat(context.getBeansOfType(RegistrarProperties.class)).isEmpty();
      assertThat(context.getBeansOfType(io.etcd.jetcd.Client.class)).isEmpty();
    }
  }

  /** Binds as Boot does (relaxed names, conversion, this class's own validation), without a context. */
  static String bindingFailure(String... properties) {
    java.util.Map<String, String> source = new java.util.LinkedHashMap<>();
    for (String property : properties) {
      source.put(property.substring(0, property.indexOf('=')), property.substring(property.indexOf('=') + 1));
    }
    Throwable thrown = catchThrowable(() -> new org.springframework.boot.context.properties.bind.Binder(
        new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(source))
        .bind(RegistrarProperties.PREFIX, org.springframework.boot.context.properties.bind.Bindable.of(
            RegistrarProperties.class), new org.springframework.boot.context.properties.bind.validation
            .ValidationBindHandler(new RegistrarProperties())));
    assertThat(thrown).as("binding should fail").isNotNull();
    List<String> messages = new ArrayList<>();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      messages.add(String.valueOf(t.getMessage()));
    }
    return String.join("\n", messages);
  }

  @Test
  void badPropertiesStopTheApplicationWithTheRule() {
    // The whole path once: the application does not start.
    assertThat(failure("spring.cloud.registrar.registration.weight=20000"))
        .contains("registration.weight").contains("must be between 0 and 10000");
    assertThat(bindingFailure("spring.cloud.registrar.endpoints=etcd:2379"))
        .contains("'etcd:2379' is not an etcd client URL: write http://host:port or https://host:port");
    assertThat(bindingFailure("spring.cloud.registrar.endpoints="))
        .contains("at least one etcd endpoint is needed");
    assertThat(bindingFailure("spring.cloud.registrar.prefix=services/"))
        .contains("prefix").contains("must start with '/'");
    assertThat(bindingFailure("spring.cloud.registrar.registration.ttl=5s"))
        .contains("registration.ttl").contains("must be at least 15 s");
    assertThat(bindingFailure("spring.cloud.registrar.registration.port=70000"))
        .contains("registration.port").contains("must be between 1 and 65535");
    assertThat(bindingFailure("spring.cloud.registrar.registration.service-name=Orders_API"))
        .contains("'Orders_API' is not a valid service name");
    assertThat(bindingFailure("spring.cloud.registrar.tls.cert-file=/etc/hosts"))
        .contains("tls.cert-file and tls.key-file go together");
    assertThat(bindingFailure("spring.cloud.registrar.tls.ca-file=/nonexistent/ca.pem"))
        .contains("cannot read /nonexistent/ca.pem");
    assertThat(bindingFailure("spring.cloud.registrar.registration.deregistration-delay=1m"))
        .contains("must be between 0 and 30 s");
    // The service name comes from the application when not set: checked when the context starts.
    assertThat(failure("spring.application.name=My_App"))
        .contains("cannot register this application as 'My_App' (spring.application.name)");
    assertThat(failure("spring.application.name="))
        .contains("it has no service name. Set spring.application.name or spring.cloud.registrar.registration.service-name");
  }
}
