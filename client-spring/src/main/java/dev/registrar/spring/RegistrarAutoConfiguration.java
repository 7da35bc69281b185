package dev.registrar.spring;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The etcd client every Registrar bean shares. An application that defines its own jetcd
 * {@link Client} bean gets that one used instead (and closes it itself).
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = RegistrarProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(RegistrarProperties.class)
public class RegistrarAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Client registrarEtcdClient(RegistrarProperties properties) {
    ClientBuilder builder = Client.builder()
        .endpoints(properties.getEndpoints().toArray(URI[]::new))
        .connectTimeout(Duration.ofSeconds(5))
        // Notices a dead connection to etcd without waiting for a call to fail.
        .keepaliveTime(Duration.ofSeconds(10))
        .keepaliveTimeout(Duration.ofSeconds(5));
    RegistrarProperties.Tls tls = properties.getTls();
    if (tls.isEnabled()) {
      try {
        builder.sslContext(ssl -> {
          if (tls.getCaFile() != null) {
            ssl.trustManager(tls.getCaFile().toFile());
          }
          if (tls.getCertFile() != null) {
            ssl.keyManager(tls.getCertFile().toFile(), tls.getKeyFile().toFile());
          }
        });
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalStateException(RegistrarProperties.PREFIX + ".tls: cannot use the TLS files: " + e.getMessage(), e);
      }
    }
    return builder.build();
  }
}
