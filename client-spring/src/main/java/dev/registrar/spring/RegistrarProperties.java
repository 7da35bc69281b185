package dev.registrar.spring;

import dev.registrar.client.Locality;
import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceNames;
import dev.registrar.client.ServiceRegistrar;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * {@code spring.cloud.registrar.*}. It validates itself when bound, so a bad value stops the
 * application at startup with the property's name and the rule it breaks.
 */
@ConfigurationProperties(prefix = RegistrarProperties.PREFIX)
public class RegistrarProperties implements Validator {

  public static final String PREFIX = "spring.cloud.registrar";

  /** The largest weight the registry accepts (the CRD's limit). */
  public static final int MAX_WEIGHT = 10_000;

  /** Whether anything of Registrar is configured. */
  private boolean enabled = true;

  /** etcd's client URLs. */
  private List<URI> endpoints = new ArrayList<>(List.of(URI.create("http://127.0.0.1:2379")));

  /** The registry's key prefix. */
  private String prefix = RegistryPrefix.DEFAULT_PATH;

  private final Tls tls = new Tls();
  private final Discovery discovery = new Discovery();
  private final Registration registration = new Registration();

  /** TLS to etcd: a CA to trust, and a client certificate and key when etcd asks for one. */
  public static class Tls {
    /** PEM file of the CA that signed etcd's certificate; set it to use TLS. */
    private Path caFile;
    /** PEM client certificate, for etcd's --client-cert-auth. */
    private Path certFile;
    /** PEM PKCS#8 private key of the client certificate. */
    private Path keyFile;

    public Path getCaFile() {
      return caFile;
    }

    public void setCaFile(Path caFile) {
      this.caFile = caFile;
    }

    public Path getCertFile() {
      return certFile;
    }

    public void setCertFile(Path certFile) {
      this.certFile = certFile;
    }

    public Path getKeyFile() {
      return keyFile;
    }

    public void setKeyFile(Path keyFile) {
      this.keyFile = keyFile;
    }

    public boolean isEnabled() {
      return caFile != null || certFile != null;
    }
  }

  /** The DiscoveryClient and ReactiveDiscoveryClient. */
  public static class Discovery {
    /** Whether to read the registry through Spring Cloud's DiscoveryClient. */
    private boolean enabled = true;

    private final Near near = new Near();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Near getNear() {
      return near;
    }
  }

  /**
   * Where this application runs, so that the DiscoveryClient answers with the nearest instances
   * only: those in this zone (of this cluster, when both are set), else of this cluster, else all;
   * a nearer set is skipped while none of its instances can take calls. Unset: every instance.
   */
  public static class Near {
    /** This application's zone, as instances carry it (their value's zone). */
    private String zone;
    /** This application's cluster, as instances carry it (the operator's REGISTRAR_CLUSTER_NAME). */
    private String cluster;

    public String getZone() {
      return zone;
    }

    public void setZone(String zone) {
      this.zone = zone;
    }

    public String getCluster() {
      return cluster;
    }

    public void setCluster(String cluster) {
      this.cluster = cluster;
    }

    public Locality locality() {
      return Locality.of(zone, cluster);
    }
  }

  /** How this application registers itself. */
  public static class Registration {
    /** Whether a web application registers itself once its web server has started. */
    private boolean enabled = true;
    /** The service name; by default spring.application.name. */
    private String serviceName;
    /** The address others call; by default the first non-loopback address (Spring Cloud's InetUtils). */
    private String host;
    /** The port others call; by default the web server's. */
    private Integer port;
    /** The version in the value, or none. */
    private String version;
    /** The weight in the value: 0 drains (no new calls), up to 10000. */
    private int weight = 100;
    /** The zone in the value, or none. */
    private String zone;
    /** Free-form metadata in the value. */
    private Map<String, String> metadata = new LinkedHashMap<>();
    /** The lease TTL: how long the key outlives a process that dies without deregistering. */
    private Duration ttl = ServiceRegistrar.DEFAULT_TTL;
    /**
     * How long to wait after deregistering before the web server stops: consumers see the removal
     * in milliseconds, and calls they had already started still find a server.
     */
    private Duration deregistrationDelay = Duration.ofSeconds(1);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getServiceName() {
      return serviceName;
    }

    public void setServiceName(String serviceName) {
      this.serviceName = serviceName;
    }

    public String getHost() {
      return host;
    }

    public void setHost(String host) {
      this.host = host;
    }

    public Integer getPort() {
      return port;
    }

    public void setPort(Integer port) {
      this.port = port;
    }

    public String getVersion() {
      return version;
    }

    public void setVersion(String version) {
      this.version = version;
    }

    public int getWeight() {
      return weight;
    }

    public void setWeight(int weight) {
      this.weight = weight;
    }

    public String getZone() {
      return zone;
    }

    public void setZone(String zone) {
      this.zone = zone;
    }

    public Map<String, String> getMetadata() {
      return metadata;
    }

    public void setMetadata(Map<String, String> metadata) {
      this.metadata = metadata;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    public Duration getDeregistrationDelay() {
      return deregistrationDelay;
    }

    public void setDeregistrationDelay(Duration deregistrationDelay) {
      this.deregistrationDelay = deregistrationDelay;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public List<URI> getEndpoints() {
    return endpoints;
  }

  public void setEndpoints(List<URI> endpoints) {
    this.endpoints = endpoints;
  }

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public Tls getTls() {
    return tls;
  }

  public Discovery getDiscovery() {
    return discovery;
  }

  public Registration getRegistration() {
    return registration;
  }

  public RegistryPrefix registryPrefix() {
    return new RegistryPrefix(prefix);
  }

  @Override
  public boolean supports(Class<?> type) {
    return RegistrarProperties.class.isAssignableFrom(type);
  }

  @Override
  public void validate(Object target, Errors errors) {
    RegistrarProperties properties = (RegistrarProperties) target;
    if (properties.endpoints == null || properties.endpoints.isEmpty()) {
      errors.rejectValue("endpoints", "empty", "at least one etcd endpoint is needed, such as http://127.0.0.1:2379");
    } else {
      for (URI endpoint : properties.endpoints) {
        if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme()) || endpoint.getHost() == null
            || endpoint.getPort() < 0) {
          errors.rejectValue("endpoints", "scheme", "'" + endpoint
              + "' is not an etcd client URL: write http://host:port or https://host:port");
        }
      }
    }
    String prefixProblem = RegistryPrefix.problemWith(properties.prefix);
    if (prefixProblem != null) {
      errors.rejectValue("prefix", "invalid", prefixProblem);
    }
    Tls tls = properties.tls;
    if ((tls.certFile == null) != (tls.keyFile == null)) {
      errors.rejectValue("tls.certFile", "pair", "tls.cert-file and tls.key-file go together: set both or neither");
    }
    for (Path file : java.util.Arrays.asList(tls.caFile, tls.certFile, tls.keyFile)) {
      if (file != null && !Files.isReadable(file)) {
        errors.rejectValue("tls", "unreadable", "cannot read " + file);
      }
    }
    Registration registration = properties.registration;
    if (registration.serviceName != null && !ServiceNames.isValid(registration.serviceName)) {
      errors.rejectValue("registration.serviceName", "invalid", "'" + registration.serviceName
          + "' is not a valid service name: a DNS-1123 label (lowercase letters, digits and '-', at most "
          + ServiceNames.MAX_LENGTH + " characters)");
    }
    if (registration.weight < 0 || registration.weight > MAX_WEIGHT) {
      errors.rejectValue("registration.weight", "range", "must be between 0 and " + MAX_WEIGHT);
    }
    if (registration.port != null && (registration.port < 1 || registration.port > 65_535)) {
      errors.rejectValue("registration.port", "range", "must be between 1 and 65535");
    }
    if (registration.ttl == null || registration.ttl.compareTo(ServiceRegistrar.MIN_TTL) < 0) {
      errors.rejectValue("registration.ttl", "range", "must be at least " + ServiceRegistrar.MIN_TTL.toSeconds() + " s");
    }
    if (registration.deregistrationDelay == null || registration.deregistrationDelay.isNegative()
        || registration.deregistrationDelay.compareTo(Duration.ofSeconds(30)) > 0) {
      errors.rejectValue("registration.deregistrationDelay", "range", "must be between 0 and 30 s");
    }
  }
}
