package dev.registrar.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and did, last time it reconciled the registration. */
@JsonInclude(JsonInclude.Include.NON_NULL)
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

  @JsonPropertyDescription("Ready: etcd holds exactly the desired keys under a live lease. "
      + "EndpointsAvailable: at least one endpoint is registered.")
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

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}
