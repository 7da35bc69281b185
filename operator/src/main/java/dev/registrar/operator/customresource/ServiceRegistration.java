package dev.registrar.operator.customresource;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Registers the Pods a selector matches as endpoints of a service in the etcd registry.
 *
 * <p>The CRD generator orders printer columns by JSONPath, so AGE (under .metadata) comes
 * before the status columns; it cannot be moved without hand-editing the generated CRD.
 */
@Group(ServiceRegistration.GROUP)
@Version(ServiceRegistration.VERSION)
@Plural("serviceregistrations")
@ShortNames({"svcreg", "sreg"})
@AdditionalPrinterColumn(name = "Service", jsonPath = ".spec.serviceName", type = Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = Type.STRING)
@AdditionalPrinterColumn(name = "Endpoints", jsonPath = ".status.registeredEndpoints",
    type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Lease", jsonPath = ".status.leaseId", type = Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ServiceRegistration
    extends CustomResource<ServiceRegistrationSpec, ServiceRegistrationStatus>
    implements Namespaced {

  public static final String GROUP = "registrar.dev";
  public static final String VERSION = "v1alpha1";

  // One object the model cannot read must not stop the informer that reads them all.
  @Override
  @JsonDeserialize(using = TolerantReading.Spec.class)
  public void setSpec(ServiceRegistrationSpec spec) {
    super.setSpec(spec);
  }

  @Override
  @JsonDeserialize(using = TolerantReading.Status.class)
  public void setStatus(ServiceRegistrationStatus status) {
    super.setStatus(status);
  }

  /**
   * The service name in the registry: {@code spec.serviceName}, or the object's name when it is
   * left out. An empty one is not left out: the CRD's pattern refuses it, and so does validation.
   */
  public String effectiveServiceName() {
    ServiceRegistrationSpec spec = getSpec();
    if (spec != null && spec.getServiceName() != null) {
      return spec.getServiceName();
    }
    return getMetadata().getName();
  }
}
