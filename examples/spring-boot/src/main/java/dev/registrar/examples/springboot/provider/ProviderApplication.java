package dev.registrar.examples.springboot.provider;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A web app that registers itself: nothing Registrar-specific in the code, only in provider.properties. */
@SpringBootApplication
@RestController
public class ProviderApplication {

  private final Registration self;

  ProviderApplication(Registration self) {
    this.self = self;
  }

  @GetMapping("/hello")
  String hello() {
    return "hello from " + self.getServiceId() + " at " + self.getHost() + ":" + self.getPort();
  }

  public static void main(String[] args) {
    new SpringApplicationBuilder(ProviderApplication.class).properties("spring.config.name=provider").run(args);
  }
}
