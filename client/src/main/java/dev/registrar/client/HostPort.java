package dev.registrar.client;

import java.util.Optional;
import java.util.regex.Pattern;

/** The {@code host:port} last segment of a key. */
record HostPort(String host, int port) {

  // An IPv4 address, an IPv6 address (without brackets) or a DNS name; never '/', '[' or ']'.
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:%_-]+");

  static String format(String host, int port) {
    return (isIpv6(host) ? "[" + host + "]" : host) + ":" + port;
  }

  static Optional<HostPort> parse(String endpoint) {
    String host;
    String portText;
    if (endpoint.startsWith("[")) {
      int close = endpoint.indexOf("]:");
      if (close < 0) {
        return Optional.empty();
      }
      host = endpoint.substring(1, close);
      portText = endpoint.substring(close + 2);
      if (!isIpv6(host)) {
        return Optional.empty();
      }
    } else {
      int colon = endpoint.lastIndexOf(':');
      if (colon <= 0) {
        return Optional.empty();
      }
      host = endpoint.substring(0, colon);
      portText = endpoint.substring(colon + 1);
      if (isIpv6(host)) {
        return Optional.empty(); // an IPv6 host must be bracketed
      }
    }
    if (!portText.matches("[0-9]{1,5}")) {
      return Optional.empty();
    }
    int port = Integer.parseInt(portText);
    if (problemWith(host, port) != null) {
      return Optional.empty();
    }
    return Optional.of(new HostPort(host, port));
  }

  static void requireValid(String host, int port) {
    String problem = problemWith(host, port);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static String problemWith(String host, int port) {
    if (host == null || host.isEmpty() || !HOST.matcher(host).matches()) {
      return "invalid host '" + host + "'";
    }
    if (port < 1 || port > 65535) {
      return "port " + port + " is outside 1-65535";
    }
    return null;
  }

  private static boolean isIpv6(String host) {
    return host.indexOf(':') >= 0;
  }
}
