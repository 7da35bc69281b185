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
    assertThatThrownBy(() -> EtcdBinary.locate(null, ""))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apt-get update && apt-get install -y etcd-server etcd-client");
    assertThatThrownBy(() -> EtcdBinary.locate(null, "/nonexistent" + java.io.File.pathSeparator + "/tmp"))
        .hasMessage(EtcdBinary.INSTALL_HINT);
  }

  @Test
  void theBinaryIsFoundOnTheSearchPath() {
    assertThat(EtcdBinary.locate(null, "/nonexistent" + java.io.File.pathSeparator + "/usr/bin"))
        .isEqualTo(java.nio.file.Path.of("/usr/bin/etcd"));
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
