package dev.registrar.operator.customresource;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What to register: which Pods, under which service name, on which ports, with which metadata. */
@JsonInclude(JsonInclude.Include.NON_NULL)
// Fields this version does not know (a newer CRD, a rolled-back operator) are ignored, not fatal.
@JsonIgnoreProperties(ignoreUnknown = true)
public class ServiceRegistrationSpec {

  public static final String DNS_LABEL = Limits.DNS_LABEL;
  public static final int MAX_PORTS = Limits.MAX_PORTS;
  public static final int MAX_METADATA_ENTRIES = Limits.MAX_METADATA_ENTRIES;
  public static final int MAX_METADATA_KEY_LENGTH = Limits.MAX_METADATA_KEY_LENGTH;
  public static final int MAX_METADATA_VALUE_LENGTH = Limits.MAX_METADATA_VALUE_LENGTH;
  public static final int MIN_LEASE_TTL_SECONDS = Limits.MIN_LEASE_TTL_SECONDS;
  public static final int MAX_LEASE_TTL_SECONDS = Limits.MAX_LEASE_TTL_SECONDS;
  public static final int DEFAULT_LEASE_TTL_SECONDS = Limits.DEFAULT_LEASE_TTL_SECONDS;
  public static final int DEFAULT_WEIGHT = Limits.DEFAULT_WEIGHT;

  @JsonPropertyDescription("The service name in the registry: keys are written under "
      + "{prefix}/{serviceName}/. A DNS-1123 label of at most 63 characters. Defaults to "
      + "metadata.name.")
  @Pattern(DNS_LABEL)
  @Size(max = Limits.MAX_SERVICE_NAME)
  private String serviceName;

  @JsonPropertyDescription("Selects the Pods to register, in the registration's namespace. "
      + "Required and non-empty: an empty selector would match every Pod.")
  @Required
  @ValidationRule(
      value = "(has(self.matchLabels) && size(self.matchLabels) > 0)"
          + " || (has(self.matchExpressions) && size(self.matchExpressions) > 0)",
      message = "selector must not be empty: set matchLabels or matchExpressions")
  private LabelSelector selector;

  @JsonPropertyDescription("The ports to register, 1 to 16. Each Pod gets one key per port.")
  @Required
  @Size(min = 1, max = MAX_PORTS)
  @ValidationRule(value = "self.all(p, self.exists_one(q, q.name == p.name))",
      message = "port names must be unique")
  private List<PortSpec> ports = new ArrayList<>();

  @JsonPropertyDescription("The service version written into every value, at most 64 characters.")
  @Size(max = Limits.MAX_VERSION)
  private String version;

  @JsonPropertyDescription("Relative weight for load balancing, 0 to 10000; 0 means never picked.")
  @Min(Limits.MIN_WEIGHT)
  @Max(Limits.MAX_WEIGHT)
  @Default("" + Limits.DEFAULT_WEIGHT)
  private Integer weight;

  @JsonPropertyDescription("Free-form labels written into every value: at most 32 entries, keys "
      + "of at most 63 characters, values of at most 256.")
  @Size(max = MAX_METADATA_ENTRIES)
  @ValidationRule(value = "self.all(k, size(k) >= 1 && size(k) <= " + Limits.MAX_METADATA_KEY_LENGTH
      + " && size(self[k]) <= " + Limits.MAX_METADATA_VALUE_LENGTH + ")",
      message = "metadata keys must be 1 to " + Limits.MAX_METADATA_KEY_LENGTH
          + " characters and values at most " + Limits.MAX_METADATA_VALUE_LENGTH + " characters")
  private Map<String, String> metadata = new LinkedHashMap<>();

  @JsonPropertyDescription("TTL of the registration's etcd lease in seconds, 15 to 3600. If the "
      + "operator dies, the keys disappear this long after its last renewal.")
  @JsonProperty("leaseTTLSeconds")
  @Min(MIN_LEASE_TTL_SECONDS)
  @Max(MAX_LEASE_TTL_SECONDS)
  @Default("" + Limits.DEFAULT_LEASE_TTL_SECONDS)
  private Integer leaseTTLSeconds;

  @JsonPropertyDescription("Also register Pods that are not ready (never terminating ones), like "
      + "a Service's publishNotReadyAddresses.")
  @Default("false")
  private Boolean publishNotReadyAddresses;

  @JsonPropertyDescription("Exclusive (the default): the service name is this registration's alone, "
      + "in every cluster that writes to the registry. Shared: registrations of the same namespace and "
      + "name in other clusters (each with its own REGISTRAR_CLUSTER_NAME) register under the same name "
      + "too; each cluster writes and removes only its own keys. Any other registration asking for the "
      + "name is in Conflict.")
  @Default("Exclusive")
  private ClusterSet clusterSet;

  /** Why the stored spec could not be read, set only by {@link TolerantReading.Spec}. */
  @JsonIgnore
  private String unreadable;

  /** A spec that stands for a stored one the model cannot read, saying why. */
  public static ServiceRegistrationSpec unreadable(String why) {
    ServiceRegistrationSpec spec = new ServiceRegistrationSpec();
    spec.unreadable = why;
    return spec;
  }

  /** Why the stored spec could not be read (the field, what it needs, what it holds), if so. */
  public java.util.Optional<String> unreadable() {
    return java.util.Optional.ofNullable(unreadable);
  }

  public String getServiceName() {
    return serviceName;
  }

  public void setServiceName(String serviceName) {
    this.serviceName = serviceName;
  }

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  public List<PortSpec> getPorts() {
    return ports;
  }

  public void setPorts(List<PortSpec> ports) {
    this.ports = ports;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public Map<String, String> getMetadata() {
    return metadata;
  }

  public void setMetadata(Map<String, String> metadata) {
    this.metadata = metadata;
  }

  public Integer getLeaseTTLSeconds() {
    return leaseTTLSeconds;
  }

  public void setLeaseTTLSeconds(Integer leaseTTLSeconds) {
    this.leaseTTLSeconds = leaseTTLSeconds;
  }

  public Boolean getPublishNotReadyAddresses() {
    return publishNotReadyAddresses;
  }

  public void setPublishNotReadyAddresses(Boolean publishNotReadyAddresses) {
    this.publishNotReadyAddresses = publishNotReadyAddresses;
  }

  public ClusterSet getClusterSet() {
    return clusterSet;
  }

  public void setClusterSet(ClusterSet clusterSet) {
    this.clusterSet = clusterSet;
  }

  /** Whether the name is shared across clusters; Exclusive when the API server did not fill it in. */
  public boolean sharedAcrossClusters() {
    return clusterSet == ClusterSet.Shared;
  }

  /** The weight, with the CRD's default when the API server did not fill it in. */
  public int effectiveWeight() {
    return weight == null ? DEFAULT_WEIGHT : weight;
  }

  /** The lease TTL, with the CRD's default when the API server did not fill it in. */
  public int effectiveLeaseTTLSeconds() {
    return leaseTTLSeconds == null ? DEFAULT_LEASE_TTL_SECONDS : leaseTTLSeconds;
  }

  public boolean effectivePublishNotReadyAddresses() {
    return Boolean.TRUE.equals(publishNotReadyAddresses);
  }
}
