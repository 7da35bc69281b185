package dev.registrar.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class ConnectionNudgeTest {

  /**
   * The nudge reaches jetcd's gRPC channel by reflection: a jetcd upgrade that moves it fails the
   * build here, instead of silently bringing back gRPC's 2-minute reconnect backoff (jetcd#1616).
   */
  @Test
  void theNudgeFindsJetcdsChannel() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (Client client = Client.builder().endpoints("http://127.0.0.1:1").build()) {
      ConnectionNudge nudge = new ConnectionNudge(client, scheduler);
      assertThat(nudge.reachesChannel()).isTrue();
      nudge.callFailed(); // resets the backoff of a channel that never connected: no error
      nudge.callSucceeded();
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void notFoundIsReadFromTheErrorCodeNotTheMessage() {
    assertThat(EtcdErrors.isNotFound(EtcdExceptionFactory.newEtcdException(ErrorCode.NOT_FOUND, "anything"))).isTrue();
    assertThat(EtcdErrors.isNotFound(new RuntimeException(Status.NOT_FOUND.asRuntimeException()))).isTrue();
    assertThat(EtcdErrors.isNotFound(new RuntimeException("etcdserver: requested lease not found"))).isFalse();
    assertThat(EtcdErrors.isNotFound(Status.UNAVAILABLE.asRuntimeException())).isFalse();
    assertThat(EtcdErrors.isConnectionProblem(Status.UNAVAILABLE.asRuntimeException())).isTrue();
  }
}
