package dev.registrar.operator.etcd;

import dev.registrar.operator.config.ConfigException;
import dev.registrar.operator.config.RegistrarConfig;
import dev.registrar.operator.config.Setting;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLException;

/** Builds the process's one jetcd client from the configuration. It connects lazily. */
public final class EtcdClientFactory {

  private EtcdClientFactory() {}

  public static Client create(RegistrarConfig config) {
    ClientBuilder builder = Client.builder()
        .endpoints(config.etcdEndpoints())
        .connectTimeout(Duration.ofSeconds(5))
        // gRPC keepalive notices a dead connection to etcd without waiting for a request to fail.
        .keepaliveTime(Duration.ofSeconds(10))
        .keepaliveTimeout(Duration.ofSeconds(5));
    config.etcdTls().ifPresent(tls -> {
      try {
        builder.sslContext(ssl -> configureTls(ssl, tls));
      } catch (SSLException | IllegalArgumentException e) {
        throw new ConfigException(Setting.ETCD_CA_FILE, "cannot use the TLS files: " + e.getMessage());
      }
    });
    config.etcdAuth().ifPresent(auth -> builder
        .user(ByteSequence.from(auth.username(), StandardCharsets.UTF_8))
        .password(ByteSequence.from(auth.password(), StandardCharsets.UTF_8)));
    return builder.build();
  }

  private static void configureTls(SslContextBuilder ssl, RegistrarConfig.EtcdTls tls) {
    tls.caFile().ifPresent(ca -> ssl.trustManager(ca.toFile()));
    if (tls.certFile().isPresent() && tls.keyFile().isPresent()) {
      ssl.keyManager(tls.certFile().get().toFile(), tls.keyFile().get().toFile());
    }
  }
}
