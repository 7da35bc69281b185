package dev.registrar.testing.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EtcdBinaryTest {

  @AfterEach
  void clearOverride() {
    System.clearProperty(EtcdBinary.OVERRIDE_PROPERTY);
  }

  @Test
  void aMissingBinaryFailsWithTheInstallCommand() {
    assertThat(EtcdBinary.onPath("etcd-that-does-not-exist")).isEmpty();
    assertThat(EtcdBinary.INSTALL_HINT)
        .contains("apt-get update && apt-get install -y etcd-server etcd-client");
  }

  @Test
  void anOverrideThatIsNotExecutableFailsInsteadOfFallingBack() {
    System.setProperty(EtcdBinary.OVERRIDE_PROPERTY, "/nonexistent/etcd");
    assertThatThrownBy(EtcdBinary::locate)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/nonexistent/etcd")
        .hasMessageContaining("not an executable file");
    assertThatThrownBy(EtcdCluster::singleMember).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void freePortsAreDistinct() {
    int[] ports = FreePorts.allocate(6);
    assertThat(ports).hasSize(6).doesNotHaveDuplicates();
    assertThat(java.util.Arrays.stream(ports)).allMatch(p -> p > 1023);
  }
}
