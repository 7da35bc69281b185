package dev.registrar.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed and did, last time it reconciled the registration. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public class ServiceRegistrationStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("The registration's etcd lease in hex, as etcdctl prints it: "
      + "etcdctl lease timetolive --keys <leaseId>.")
  private String leaseId;

  @JsonPropertyDescription("How many Pods the selector matches.")
  private Integer matchedPods;

  @JsonPropertyDescription("How many keys the registration has in etcd now (Pods x ports).")
  private Integer registeredEndpoints;

  @JsonPropertyDescription("Only for spec.clusterSet Shared: the other clusters sharing the service "
      + "name, each with how many endpoints it registers under it (their addresses stay in etcd).")
  private List<ClusterEndpoints> otherClusters;

  @JsonPropertyDescription("Ready: etcd holds exactly the desired keys under a live lease. "
      + "EndpointsAvailable: at least one endpoint is registered. ClusterSetConsistent (Shared names "
      + "only): every cluster sharing the name registers the same ports.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getLeaseId() {
    return leaseId;
  }

  public void setLeaseId(String leaseId) {
    this.leaseId = leaseId;
  }

  public Integer getMatchedPods() {
    return matchedPods;
  }

  public void setMatchedPods(Integer matchedPods) {
    this.matchedPods = matchedPods;
  }

  public Integer getRegisteredEndpoints() {
    return registeredEndpoints;
  }

  public void setRegisteredEndpoints(Integer registeredEndpoints) {
    this.registeredEndpoints = registeredEndpoints;
  }

  public List<ClusterEndpoints> getOtherClusters() {
    return otherClusters;
  }

  public void setOtherClusters(List<ClusterEndpoints> otherClusters) {
    this.otherClusters = otherClusters;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  /** A deep copy, so that a new status can be built without touching the cached resource. */
  public ServiceRegistrationStatus copy() {
    ServiceRegistrationStatus copy = new ServiceRegistrationStatus();
    copy.observedGeneration = observedGeneration;
    copy.leaseId = leaseId;
    copy.matchedPods = matchedPods;
    copy.registeredEndpoints = registeredEndpoints;
    copy.otherClusters = otherClusters == null ? null
        : new ArrayList<>(otherClusters.stream().map(c -> new ClusterEndpoints(c.getCluster(), c.getEndpoints())).toList());
    copy.conditions = conditions == null ? new ArrayList<>()
        : new ArrayList<>(conditions.stream().map(c -> new io.fabric8.kubernetes.api.model.ConditionBuilder(c).build()).toList());
    return copy;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceRegistrationStatus other
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(leaseId, other.leaseId)
        && Objects.equals(matchedPods, other.matchedPods)
        && Objects.equals(registeredEndpoints, other.registeredEndpoints)
        && Objects.equals(otherClusters, other.otherClusters)
        && Objects.equals(conditions, other.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, leaseId, matchedPods, registeredEndpoints, otherClusters, conditions);
  }
}
