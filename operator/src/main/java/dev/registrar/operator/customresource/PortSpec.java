package dev.registrar.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One registered port: a fixed number, or a container port name resolved per Pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.port) != has(self.containerPort)",
    message = "exactly one of port or containerPort must be set")
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public class PortSpec {

  @JsonPropertyDescription("The port's name, unique in the registration; written into the value "
      + "as portName. A DNS-1123 label.")
  @Required
  @Pattern(ServiceRegistrationSpec.DNS_LABEL)
  @Size(min = 1, max = Limits.MAX_PORT_NAME)
  private String name;

  @JsonPropertyDescription("A port number, 1 to 65535. Set exactly one of port and containerPort.")
  @Min(Limits.MIN_PORT)
  @Max(Limits.MAX_PORT)
  private Integer port;

  @JsonPropertyDescription("The name of a container port in the Pod, resolved per Pod; a Pod "
      + "without it is skipped. Set exactly one of port and containerPort.")
  @Pattern(ServiceRegistrationSpec.DNS_LABEL)
  @Size(min = 1, max = Limits.MAX_CONTAINER_PORT_NAME)
  private String containerPort;

  public PortSpec() {}

  public PortSpec(String name, Integer port, String containerPort) {
    this.name = name;
    this.port = port;
    this.containerPort = containerPort;
  }

  public static PortSpec number(String name, int port) {
    return new PortSpec(name, port, null);
  }

  public static PortSpec named(String name, String containerPort) {
    return new PortSpec(name, null, containerPort);
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public String getContainerPort() {
    return containerPort;
  }

  public void setContainerPort(String containerPort) {
    this.containerPort = containerPort;
  }
}
