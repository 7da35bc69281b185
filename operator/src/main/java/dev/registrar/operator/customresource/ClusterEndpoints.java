package dev.registrar.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Another cluster sharing the service name, and how many endpoints it registers under it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public class ClusterEndpoints {

  @JsonPropertyDescription("The other cluster's name (its REGISTRAR_CLUSTER_NAME).")
  private String cluster;

  @JsonPropertyDescription("How many keys its registration of the same namespace and name holds under the service.")
  private Integer endpoints;

  public ClusterEndpoints() {}

  public ClusterEndpoints(String cluster, int endpoints) {
    this.cluster = cluster;
    this.endpoints = endpoints;
  }

  public String getCluster() {
    return cluster;
  }

  public void setCluster(String cluster) {
    this.cluster = cluster;
  }

  public Integer getEndpoints() {
    return endpoints;
  }

  public void setEndpoints(Integer endpoints) {
    this.endpoints = endpoints;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterEndpoints other && Objects.equals(cluster, other.cluster)
        && Objects.equals(endpoints, other.endpoints);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cluster, endpoints);
  }

  @Override
  public String toString() {
    return cluster + "=" + endpoints;
  }
}
