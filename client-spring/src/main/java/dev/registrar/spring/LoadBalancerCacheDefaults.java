package dev.registrar.spring;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns Spring Cloud LoadBalancer's instance cache off by default. Its 35 s TTL exists to spare
 * discovery servers a request per call; Registrar answers from a watch-fed view in memory, so the
 * cache would only keep a removed instance in rotation for up to 35 s. An application that sets
 * {@code spring.cloud.loadbalancer.cache.enabled} itself keeps its own choice.
 */
public class LoadBalancerCacheDefaults implements EnvironmentPostProcessor {

  static final String SOURCE = "registrarLoadBalancerDefaults";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    if (!environment.getProperty(RegistrarProperties.PREFIX + ".enabled", Boolean.class, true)
        || !environment.getProperty(RegistrarProperties.PREFIX + ".discovery.enabled", Boolean.class, true)) {
      return;
    }
    // addLast: the lowest precedence, below every file, variable and argument.
    environment.getPropertySources().addLast(new MapPropertySource(SOURCE,
        Map.of("spring.cloud.loadbalancer.cache.enabled", "false")));
  }
}
