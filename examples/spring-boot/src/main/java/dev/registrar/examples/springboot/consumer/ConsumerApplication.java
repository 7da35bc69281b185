package dev.registrar.examples.springboot.consumer;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** Calls the provider by its service name, http://greeter/, through a load-balanced RestClient. */
@SpringBootApplication
@RestController
public class ConsumerApplication {

  private final RestClient greeter;

  ConsumerApplication(RestClient.Builder loadBalanced) {
    this.greeter = loadBalanced.baseUrl("http://greeter").build();
  }

  @Bean
  @LoadBalanced
  static RestClient.Builder loadBalancedRestClient() {
    return RestClient.builder();
  }

  @GetMapping("/greet")
  ResponseEntity<String> greet() {
    try {
      return ResponseEntity.ok(greeter.get().uri("/hello").retrieve().body(String.class));
    } catch (IllegalStateException e) {
      // Spring Cloud LoadBalancer found no instance of greeter in the registry.
      return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("no greeter is registered\n");
    }
  }

  public static void main(String[] args) {
    new SpringApplicationBuilder(ConsumerApplication.class).properties("spring.config.name=consumer").run(args);
  }
}
