package dev.registrar.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Writes endpoint keys the way the operator does: one lease, values in the registry's JSON. */
final class Registry {

  private final Client client;
  private final long lease;

  Registry(Client client) throws Exception {
    this.client = client;
    this.lease = client.getLeaseClient().grant(60).get(5, TimeUnit.SECONDS).getID();
  }

  static String key(String service, int port) {
    return "/services/" + service + "/127.0.0.1:" + port;
  }

  void put(String service, TestServer server, int weight, String version, String zone) throws Exception {
    EndpointValue value = new EndpointValue(version, weight, "127.0.0.1", server.port(), "grpc", server.name,
        "default", "node-1", zone, Map.of("team", "orders"), null);
    client.getKVClient().put(ByteSequence.from(key(service, server.port()), UTF_8),
        ByteSequence.from(EndpointCodec.encode(value)), PutOption.builder().withLeaseId(lease).build())
        .get(5, TimeUnit.SECONDS);
  }

  void put(String service, TestServer server, int weight) throws Exception {
    put(service, server, weight, "1.0", null);
  }

  void delete(String service, TestServer server) throws Exception {
    client.getKVClient().delete(ByteSequence.from(key(service, server.port()), UTF_8)).get(5, TimeUnit.SECONDS);
  }
}
