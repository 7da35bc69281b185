package dev.registrar.operator;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;

/**
 * JOSDK's clone (a JSON round trip, as its default does) that keeps why a registration's spec
 * could not be read: that reason lives only in memory (it is never written back to the API), so
 * a plain round trip would hand the reconcile an empty spec instead of the reason.
 */
final class RegistrationCloner implements Cloner {

  private final KubernetesSerialization serialization;

  RegistrationCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  public <R extends HasMetadata> R clone(R object) {
    R copy = serialization.clone(object);
    if (object instanceof ServiceRegistration original && copy instanceof ServiceRegistration cloned
        && original.getSpec() != null && original.getSpec().unreadable().isPresent()) {
      cloned.setSpec(ServiceRegistrationSpec.unreadable(original.getSpec().unreadable().get()));
    }
    return copy;
  }
}
