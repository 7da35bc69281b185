package dev.registrar.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.RegistryPrefix;
import dev.registrar.operator.customresource.PortSpec;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.testing.TestObjects;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoizedEncoderTest {

  static final RegistryContext CONTEXT = new RegistryContext(RegistryPrefix.DEFAULT, "eu-1", true, false);

  @Test
  void aFlipOfOnePodEncodesOnlyThatPodsValueAndTheBytesAreTheSame() {
    ServiceRegistration registration = TestObjects.registration("shop", "web", "web", Map.of("app", "web"),
        PortSpec.number("http", 8080));
    registration.getMetadata().setUid("uid-1");
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      pods.add(TestObjects.pod("shop", "web-" + i, "10.0.0." + i, Map.of("app", "web"), true));
    }
    MemoizedEncoder memo = new MemoizedEncoder();
    DesiredState first = memo.round(encoder -> DesiredStateCalculator.compute(registration, pods, CONTEXT, Zones.NONE, encoder));
    assertThat(memo.encoded()).isEqualTo(100);

    // web-7 turns unready, then a second change re-adds it.
    pods.set(7, TestObjects.pod("shop", "web-7", "10.0.0.7", Map.of("app", "web"), false));
    DesiredState second = memo.round(encoder -> DesiredStateCalculator.compute(registration, pods, CONTEXT, Zones.NONE, encoder));
    assertThat(memo.encoded()).isEqualTo(100);
    assertThat(second.endpoints()).hasSize(99);
    pods.set(7, TestObjects.pod("shop", "web-7", "10.0.0.7", Map.of("app", "web"), true));
    DesiredState third = memo.round(encoder -> DesiredStateCalculator.compute(registration, pods, CONTEXT, Zones.NONE, encoder));
    // Its value was not in the last round: encoded again; nothing else was.
    assertThat(memo.encoded()).isEqualTo(101);
    // The bytes are what a direct encoding gives, key by key.
    DesiredState direct = DesiredStateCalculator.compute(registration, pods, CONTEXT, Zones.NONE);
    assertThat(third.endpoints().keySet()).isEqualTo(direct.endpoints().keySet());
    third.endpoints().forEach((key, endpoint) ->
        assertThat(endpoint.encoded()).isEqualTo(direct.endpoints().get(key).encoded()));
    assertThat(first.endpoints().get("/services/web/10.0.0.1:8080").encoded())
        .isSameAs(third.endpoints().get("/services/web/10.0.0.1:8080").encoded());
  }

  @Test
  void aChangedValueIsEncodedAgainAndAnUnusedOneIsForgotten() {
    EndpointValue a = value("1.0.0");
    EndpointValue b = value("2.0.0");
    MemoizedEncoder memo = new MemoizedEncoder();
    byte[] first = memo.round(encoder -> encoder.encode(a));
    byte[] again = memo.round(encoder -> encoder.encode(a));
    assertThat(again).isSameAs(first);
    assertThat(memo.encoded()).isEqualTo(1);
    byte[] other = memo.round(encoder -> encoder.encode(b));
    assertThat(new String(other, java.nio.charset.StandardCharsets.UTF_8)).contains("\"version\":\"2.0.0\"");
    assertThat(memo.encoded()).isEqualTo(2);
    // a was not used in the last round: the memo no longer holds it.
    byte[] afresh = memo.round(encoder -> encoder.encode(a));
    assertThat(afresh).isNotSameAs(first).isEqualTo(first);
    assertThat(memo.encoded()).isEqualTo(3);
  }

  static EndpointValue value(String version) {
    return new EndpointValue(version, 100, "10.0.0.1", 8080, "http", "web-1", "shop", "node-1", null, Map.of(),
        new EndpointValue.Owner("eu-1", "shop", "web", "uid-1"));
  }

  @Test
  void directEncodingIsTheCodecs() {
    assertThat(ValueEncoder.DIRECT.encode(value("1.0.0"))).isEqualTo(EndpointCodec.encode(value("1.0.0")));
  }
}
