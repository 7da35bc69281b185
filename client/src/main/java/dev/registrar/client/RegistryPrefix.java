package dev.registrar.client;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The registry's root path, such as {@code /services}. Every key, read, watch and delete goes
 * through it, and every prefix it hands out ends in {@code /}, so that {@code /services/foo/}
 * never matches {@code /services/foo-bar/}.
 */
public record RegistryPrefix(String path) {

  // Declared before DEFAULT, whose construction uses it. One or more "/segment"s; no empty, "." or ".." segment, no trailing slash.
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

  public static final String DEFAULT_PATH = "/services";

  public static final RegistryPrefix DEFAULT = new RegistryPrefix(DEFAULT_PATH);

  public RegistryPrefix {
    String problem = problemWith(path);
    if (problem != null) {
      throw new IllegalArgumentException("invalid registry prefix '" + path + "': " + problem);
    }
  }

  /** Why {@code path} is not a valid prefix, or null when it is. */
  public static String problemWith(String path) {
    if (path == null || path.isEmpty()) {
      return "must not be empty";
    }
    if (!path.startsWith("/")) {
      return "must start with '/'";
    }
    if (path.endsWith("/")) {
      return "must not end with '/'";
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches()) {
        return "segment '" + segment + "' must be letters, digits, '.', '_' or '-' "
            + "and must not start with '.' or '-'";
      }
    }
    return null;
  }

  /** Everything in the registry: {@code /services/}. */
  public String root() {
    return path + "/";
  }

  /**
   * Every key of one service: {@code /services/orders/}. Any readable service segment (such as
   * {@code orders.rpc}) may be read or watched; only DNS-1123 labels are written.
   */
  public String servicePath(String serviceName) {
    ServiceNames.requireReadable(serviceName);
    return root() + serviceName + "/";
  }

  /** The key of one endpoint of a service, to write: the service name must be a DNS-1123 label. */
  public RegistryKey key(String serviceName, String host, int port) {
    ServiceNames.requireValid(serviceName);
    return new RegistryKey(this, serviceName, host, port);
  }

  /** Parses a key read from etcd; empty when it is not a well-formed key under this prefix. */
  public Optional<RegistryKey> parse(String key) {
    if (key == null || !key.startsWith(root())) {
      return Optional.empty();
    }
    String rest = key.substring(root().length());
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      return Optional.empty();
    }
    String serviceName = rest.substring(0, slash);
    String endpoint = rest.substring(slash + 1);
    if (!ServiceNames.isReadable(serviceName)) {
      return Optional.empty();
    }
    return HostPort.parse(endpoint).map(hp -> new RegistryKey(this, serviceName, hp.host(), hp.port()));
  }

  @Override
  public String toString() {
    return path;
  }
}
