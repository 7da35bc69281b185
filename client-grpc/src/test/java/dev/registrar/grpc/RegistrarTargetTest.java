package dev.registrar.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RegistrarTargetTest {

  @Test
  void parsesServiceVersionAndZone() {
    assertThat(RegistrarTarget.parse(URI.create("registrar:///orders")))
        .isEqualTo(new RegistrarTarget("orders", null, null));
    assertThat(RegistrarTarget.parse(URI.create("registrar:///orders?version=2.0.0-rc1&zone=eu-west-1a")))
        .isEqualTo(new RegistrarTarget("orders", "2.0.0-rc1", "eu-west-1a"));
    assertThat(RegistrarTarget.parse(URI.create("registrar:/orders?zone=a")))
        .isEqualTo(new RegistrarTarget("orders", null, "a"));
    // Names written by others (go-zero's orders.rpc) are readable.
    assertThat(RegistrarTarget.parse(URI.create("registrar:///orders.rpc")).service()).isEqualTo("orders.rpc");
    assertThat(new RegistrarTarget("orders", "2", "a")).hasToString("registrar:///orders?version=2&zone=a");
  }

  @Test
  void aClusterNamesTheCallersClusterAfterItsZone() {
    RegistrarTarget target = RegistrarTarget.parse(URI.create("registrar:///orders?zone=eu-west-1a&cluster=eu"));
    assertThat(target).isEqualTo(new RegistrarTarget("orders", null, "eu-west-1a", "eu"));
    assertThat(target.near()).isEqualTo(dev.registrar.client.Locality.of("eu-west-1a", "eu"));
    assertThat(target).hasToString("registrar:///orders?zone=eu-west-1a&cluster=eu");
    assertThat(RegistrarTarget.parse(URI.create("registrar:///orders?cluster=us"))).hasToString("registrar:///orders?cluster=us");
  }

  @Test
  void badTargetsSayWhatIsWrong() {
    assertThatThrownBy(() -> RegistrarTarget.parse(URI.create("registrar://etcd:2379/orders")))
        .hasMessage("registrar targets have no authority: write registrar:///{service}, not registrar://etcd:2379/orders");
    assertThatThrownBy(() -> RegistrarTarget.parse(URI.create("registrar:///")))
        .hasMessageStartingWith("invalid service name '' in registrar:///");
    assertThatThrownBy(() -> RegistrarTarget.parse(URI.create("registrar:///a/b")))
        .hasMessageStartingWith("invalid service name 'a/b'");
    assertThatThrownBy(() -> RegistrarTarget.parse(URI.create("registrar:///orders?weight=3")))
        .hasMessage("unknown parameter 'weight' in registrar:///orders?weight=3: registrar targets take version=, zone= and cluster=");
    assertThatThrownBy(() -> RegistrarTarget.parse(URI.create("registrar:///orders?version=")))
        .hasMessage("empty value for 'version' in registrar:///orders?version=");
  }

  @Test
  void aParameterWithoutANameIsUnknownAndOneWithoutAValueIsEmpty() {
    assertThatThrownBy(() -> RegistrarTarget.parse(URI.create("registrar:///orders?=2")))
        .hasMessage("unknown parameter '' in registrar:///orders?=2: registrar targets take version=, zone= and cluster=");
    assertThatThrownBy(() -> RegistrarTarget.parse(URI.create("registrar:///orders?zone")))
        .hasMessage("empty value for 'zone' in registrar:///orders?zone");
  }
}
