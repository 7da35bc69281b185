package dev.registrar.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class EtcdRegistryTest {

  @Test
  void authenticationFailuresAreNamedWithTheSettingsToCheck() {
    RuntimeException error = new RuntimeException("UNAUTHENTICATED",
        Status.INVALID_ARGUMENT.withDescription("etcdserver: authentication failed, invalid user ID or password").asRuntimeException());
    assertThat(EtcdRegistry.describe(error)).isEqualTo("etcd rejected the operator's credentials "
        + "(authentication failed): check REGISTRAR_ETCD_USERNAME and the file REGISTRAR_ETCD_PASSWORD_FILE names");
  }

  @Test
  void permissionDenialsSayWhichRoleIsNeeded() {
    RuntimeException error = Status.PERMISSION_DENIED.withDescription("etcdserver: permission denied").asRuntimeException();
    assertThat(EtcdRegistry.describe(error)).isEqualTo("etcd denied permission (etcdserver: permission denied): "
        + "the operator's etcd role must grant readwrite on the registry prefix and on /registrar/claims/");
  }

  @Test
  void otherErrorsKeepTheirMessage() {
    assertThat(EtcdRegistry.describe(new RuntimeException("UNAVAILABLE: io exception"))).isEqualTo("UNAVAILABLE: io exception");
    assertThat(EtcdRegistry.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
  }
}
