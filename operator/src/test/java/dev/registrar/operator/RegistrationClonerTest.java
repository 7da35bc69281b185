package dev.registrar.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** JOSDK's clone of a registration keeps why its spec could not be read (a JSON round trip alone loses it). */
class RegistrationClonerTest {

  @Test
  void theReasonAnUnreadableSpecCarriesSurvivesTheClone() {
    ServiceRegistration registration = new ServiceRegistration();
    registration.setMetadata(new ObjectMetaBuilder().withName("orders").withNamespace("shop").build());
    registration.setSpec(ServiceRegistrationSpec.unreadable("spec.weight: cannot be read"));
    KubernetesSerialization serialization = new KubernetesSerialization();

    assertThat(serialization.clone(registration).getSpec().unreadable()).as("a plain round trip").isEmpty();
    ServiceRegistration clone = new RegistrationCloner(serialization).clone(registration);
    assertThat(clone).isNotSameAs(registration);
    assertThat(clone.getSpec().unreadable()).contains("spec.weight: cannot be read");
  }
}
