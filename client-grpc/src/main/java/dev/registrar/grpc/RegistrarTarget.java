package dev.registrar.grpc;

import dev.registrar.client.Locality;
import dev.registrar.client.ServiceNames;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A parsed {@code registrar:///{service}?version=&zone=&cluster=} target.
 *
 * @param service the service name, a path segment of the registry's keys
 * @param version only instances with this version, or null for all
 * @param zone prefer instances in this zone (falling back when none there can take calls), or null
 * @param cluster prefer instances of this cluster, after the zone (falling back to all when none
 *     there can take calls), or null: {@link Locality}'s failover order
 */
public record RegistrarTarget(String service, String version, String zone, String cluster) {

  public RegistrarTarget(String service, String version, String zone) {
    this(service, version, zone, null);
  }

  /** The caller's locality the target names. */
  public Locality near() {
    return Locality.of(zone, cluster);
  }

  /** Parses a target; throws IllegalArgumentException with a message that says what is wrong. */
  public static RegistrarTarget parse(URI uri) {
    if (!RegistrarGrpc.SCHEME.equals(uri.getScheme())) {
      throw new IllegalArgumentException("not a registrar target: " + uri);
    }
    if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
      throw new IllegalArgumentException("registrar targets have no authority: write registrar:///{service}, not "
          + uri);
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String service = path.startsWith("/") ? path.substring(1) : path;
    if (!ServiceNames.isReadable(service)) {
      throw new IllegalArgumentException("invalid service name '" + service + "' in " + uri
          + ": expected registrar:///{service}, where the service is one path segment");
    }
    String version = null;
    String zone = null;
    String cluster = null;
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (value.isEmpty()) {
          throw new IllegalArgumentException("empty value for '" + name + "' in " + uri);
        }
        switch (name) {
          case "version" -> version = value;
          case "zone" -> zone = value;
          case "cluster" -> cluster = value;
          default -> throw new IllegalArgumentException("unknown parameter '" + name + "' in " + uri
              + ": registrar targets take version=, zone= and cluster=");
        }
      }
    }
    return new RegistrarTarget(service, version, zone, cluster);
  }

  /** How a log line or an error names it: the target as written. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(RegistrarGrpc.SCHEME).append(":///").append(service);
    String separator = "?";
    if (version != null) {
      out.append(separator).append("version=").append(version);
      separator = "&";
    }
    if (zone != null) {
      out.append(separator).append("zone=").append(zone);
      separator = "&";
    }
    if (cluster != null) {
      out.append(separator).append("cluster=").append(cluster);
    }
    return out.toString();
  }
}
