package dev.registrar.operator.config;

import dev.registrar.client.RegistryPrefix;
import dev.registrar.client.ServiceNames;
import dev.registrar.operator.model.NamePolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the {@link RegistrarConfig} from command-line flags and environment variables. Every
 * problem is a {@link ConfigException} naming the setting; a half-valid config never comes out.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /** Parses {@code --flag value} and {@code --flag=value}; a flag wins over its variable. */
  public static RegistrarConfig load(List<String> args, Map<String, String> env) {
    Map<Setting, String> raw = new EnumMap<>(Setting.class);
    for (Setting setting : Setting.values()) {
      String value = env.get(setting.env());
      if (value != null && !value.isBlank()) {
        raw.put(setting, value.trim());
      }
    }
    raw.putAll(parseFlags(args));
    return build(raw);
  }

  private static Map<Setting, String> parseFlags(List<String> args) {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      String flag = name;
      Setting setting = Setting.byFlag(flag).orElseThrow(() -> new ConfigException(
          "unknown argument '" + flag + "' (see --help)"));
      if (value == null) {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
          throw new ConfigException(setting, "the flag needs a value");
        }
        value = args.get(++i);
      }
      flags.put(setting, value.trim());
    }
    return flags;
  }

  private static RegistrarConfig build(Map<Setting, String> raw) {
    Values values = new Values(raw);
    return new RegistrarConfig(
        endpoints(values.required(Setting.ETCD_ENDPOINTS)),
        prefix(values.withDefault(Setting.KEY_PREFIX)),
        clusterName(values.withDefault(Setting.CLUSTER_NAME)),
        namespaces(values.optional(Setting.WATCH_NAMESPACES)),
        namePolicy(values.withDefault(Setting.NAME_POLICY)),
        tls(values),
        auth(values),
        bool(Setting.POD_READINESS_GATE, values.withDefault(Setting.POD_READINESS_GATE)),
        bool(Setting.TOPOLOGY, values.withDefault(Setting.TOPOLOGY)),
        bool(Setting.LEADER_ELECTION, values.withDefault(Setting.LEADER_ELECTION)),
        values.optional(Setting.LEADER_ELECTION_NAMESPACE).map(ns -> namespace(Setting.LEADER_ELECTION_NAMESPACE, ns)),
        port(values.withDefault(Setting.HTTP_PORT)),
        duration(Setting.RESYNC_INTERVAL, values.withDefault(Setting.RESYNC_INTERVAL)),
        threads(values.withDefault(Setting.RECONCILE_THREADS)),
        oneOf(Setting.LOG_FORMAT, values.withDefault(Setting.LOG_FORMAT), List.of("text", "json")).equals("json"),
        oneOf(Setting.LOG_LEVEL, values.withDefault(Setting.LOG_LEVEL), List.of("error", "warn", "info", "debug", "trace")));
  }

  private record Values(Map<Setting, String> raw) {
    Optional<String> optional(Setting setting) {
      return Optional.ofNullable(raw.get(setting)).filter(v -> !v.isEmpty());
    }

    String required(Setting setting) {
      return optional(setting).orElseThrow(() -> new ConfigException(setting, "is required"));
    }

    String withDefault(Setting setting) {
      return optional(setting).orElseGet(() -> setting.defaultValue().orElseThrow());
    }
  }

  private static List<URI> endpoints(String value) {
    List<URI> endpoints = new ArrayList<>();
    for (String part : value.split(",")) {
      String text = part.trim();
      if (text.isEmpty()) {
        continue;
      }
      URI uri;
      try {
        uri = new URI(text);
      } catch (URISyntaxException e) {
        throw new ConfigException(Setting.ETCD_ENDPOINTS, "'" + text + "' is not a URL");
      }
      String scheme = Optional.ofNullable(uri.getScheme()).orElse("").toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new ConfigException(Setting.ETCD_ENDPOINTS,
            "'" + text + "' must be an http:// or https:// URL, such as http://127.0.0.1:2379");
      }
      if (uri.getHost() == null || uri.getPort() < 1) {
        throw new ConfigException(Setting.ETCD_ENDPOINTS,
            "'" + text + "' needs a host and a port, such as http://127.0.0.1:2379");
      }
      if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
        throw new ConfigException(Setting.ETCD_ENDPOINTS, "'" + text + "' must not have a path");
      }
      endpoints.add(uri);
    }
    if (endpoints.isEmpty()) {
      throw new ConfigException(Setting.ETCD_ENDPOINTS, "is required");
    }
    return endpoints;
  }

  private static RegistryPrefix prefix(String value) {
    String problem = RegistryPrefix.problemWith(value);
    if (problem != null) {
      throw new ConfigException(Setting.KEY_PREFIX, "'" + value + "' " + problem
          + " (for example /services)");
    }
    return new RegistryPrefix(value);
  }

  private static String clusterName(String value) {
    if (!ServiceNames.isValid(value)) {
      throw new ConfigException(Setting.CLUSTER_NAME, "'" + value
          + "' must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)");
    }
    return value;
  }

  private static Set<String> namespaces(Optional<String> value) {
    Set<String> namespaces = new LinkedHashSet<>();
    value.ifPresent(v -> {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          namespaces.add(namespace(Setting.WATCH_NAMESPACES, part.trim()));
        }
      }
    });
    return namespaces;
  }

  private static NamePolicy namePolicy(String value) {
    return NamePolicy.parse(value).orElseThrow(() -> new ConfigException(Setting.NAME_POLICY,
        "'" + value + "' must be one of " + String.join(", ", NamePolicy.texts())));
  }

  private static String namespace(Setting setting, String value) {
    if (!ServiceNames.isValid(value)) {
      throw new ConfigException(setting, "'" + value + "' is not a valid namespace name");
    }
    return value;
  }

  private static Optional<RegistrarConfig.EtcdTls> tls(Values values) {
    Optional<Path> ca = values.optional(Setting.ETCD_CA_FILE).map(v -> readableFile(Setting.ETCD_CA_FILE, v));
    Optional<Path> cert = values.optional(Setting.ETCD_CERT_FILE).map(v -> readableFile(Setting.ETCD_CERT_FILE, v));
    Optional<Path> key = values.optional(Setting.ETCD_KEY_FILE).map(v -> readableFile(Setting.ETCD_KEY_FILE, v));
    if (cert.isPresent() != key.isPresent()) {
      Setting missing = cert.isPresent() ? Setting.ETCD_KEY_FILE : Setting.ETCD_CERT_FILE;
      throw new ConfigException(missing, "is required when "
          + (cert.isPresent() ? Setting.ETCD_CERT_FILE : Setting.ETCD_KEY_FILE).label() + " is set");
    }
    if (ca.isEmpty() && cert.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new RegistrarConfig.EtcdTls(ca, cert, key));
  }

  private static Optional<RegistrarConfig.EtcdAuth> auth(Values values) {
    Optional<String> user = values.optional(Setting.ETCD_USERNAME);
    Optional<String> passwordFile = values.optional(Setting.ETCD_PASSWORD_FILE);
    if (user.isPresent() != passwordFile.isPresent()) {
      Setting missing = user.isPresent() ? Setting.ETCD_PASSWORD_FILE : Setting.ETCD_USERNAME;
      throw new ConfigException(missing, "is required when "
          + (user.isPresent() ? Setting.ETCD_USERNAME : Setting.ETCD_PASSWORD_FILE).label() + " is set");
    }
    if (user.isEmpty()) {
      return Optional.empty();
    }
    Path file = readableFile(Setting.ETCD_PASSWORD_FILE, passwordFile.get());
    String password;
    try {
      // A trailing newline is how most tools write a secret file; it is not part of the password.
      password = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ConfigException(Setting.ETCD_PASSWORD_FILE, "cannot read " + file + ": " + e.getMessage());
    }
    if (password.isEmpty()) {
      throw new ConfigException(Setting.ETCD_PASSWORD_FILE, file + " is empty");
    }
    return Optional.of(new RegistrarConfig.EtcdAuth(user.get(), file, password));
  }

  private static Path readableFile(Setting setting, String value) {
    Path path = Path.of(value);
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(setting, "file " + path + " does not exist");
    }
    if (!Files.isReadable(path)) {
      throw new ConfigException(setting, "file " + path + " is not readable");
    }
    return path;
  }

  private static boolean bool(Setting setting, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(setting, "'" + value + "' must be true or false");
    };
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(Setting.HTTP_PORT, "'" + value + "' must be a port number, 0 to 65535");
  }

  private static int threads(String value) {
    try {
      int threads = Integer.parseInt(value);
      if (threads >= 1 && threads <= 200) {
        return threads;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(Setting.RECONCILE_THREADS, "'" + value + "' must be a whole number from 1 to 200");
  }

  private static String oneOf(Setting setting, String value, List<String> allowed) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (!allowed.contains(lower)) {
      throw new ConfigException(setting, "'" + value + "' must be one of " + String.join(", ", allowed));
    }
    return lower;
  }

  /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; at least one second. */
  private static Duration duration(Setting setting, String value) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m|h)").matcher(value);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      Duration duration = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
      if (duration.compareTo(Duration.ofSeconds(1)) >= 0) {
        return duration;
      }
    }
    throw new ConfigException(setting, "'" + value + "' must be a duration of at least 1s, such as 30s, 5m or 1h");
  }

  /** The {@code --help} text: every setting with its flag, variable and default. */
  public static String usage() {
    StringBuilder text = new StringBuilder();
    text.append("Usage: java -jar registrar-operator.jar [--flag value ...]\n\n")
        .append("Registrar keeps an etcd service registry true to the ready Pods that\n")
        .append("ServiceRegistrations select. Each setting is a flag or an environment\n")
        .append("variable; the flag wins. Kubernetes is reached the usual way: KUBECONFIG,\n")
        .append("~/.kube/config, or the in-cluster service account.\n\nSettings:\n");
    for (Setting setting : Setting.values()) {
      text.append(String.format("  %-30s %s%n", setting.flag(), setting.env()));
      text.append(String.format("  %-30s %s%n", "", setting.description()));
      setting.defaultValue().ifPresent(d -> text.append(String.format("  %-30s default: %s%n", "", d)));
    }
    text.append(String.format("  %-30s %s%n", "--help", "print this text and exit"));
    return text.toString();
  }
}
