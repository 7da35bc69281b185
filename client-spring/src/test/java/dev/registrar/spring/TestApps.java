package dev.registrar.spring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** Two small Spring Boot applications: one that answers, one that calls it by service name. */
final class TestApps {

  private TestApps() {}

  @RestController
  static class HelloController {
    @Value("${app.name}")
    String name;

    @GetMapping("/hello")
    String hello() {
      return name;
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(HelloController.class)
  static class Provider {}

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Consumer {
    final List<Object> heartbeats = new CopyOnWriteArrayList<>();

    @Bean
    @LoadBalanced
    RestClient.Builder loadBalanced() {
      return RestClient.builder();
    }

    @EventListener
    void onHeartbeat(HeartbeatEvent event) {
      heartbeats.add(event.getValue());
    }
  }

  static ConfigurableApplicationContext run(Class<?> app, String etcd, String... properties) {
    return new SpringApplicationBuilder(app)
        .properties("server.port=0", "spring.main.banner-mode=off", "spring.cloud.registrar.endpoints=" + etcd,
            "spring.cloud.registrar.registration.host=127.0.0.1")
        .properties(properties)
        .run();
  }
}
