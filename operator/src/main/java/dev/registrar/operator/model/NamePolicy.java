package dev.registrar.operator.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which service names a registration may publish, judged from its namespace alone: the claim
 * keeps two registrations from one name, this keeps a tenant from a name that is not its own.
 */
public enum NamePolicy {
  /** Any valid name, first come first served (the claim is the only guard). */
  ANY("any"),
  /** The name is the namespace's, or starts with {@code <namespace>-}. */
  NAMESPACE_PREFIX("namespace-prefix"),
  /** The name is granted by the Namespace's annotation {@value AllowedNames#ANNOTATION}. */
  NAMESPACE_ANNOTATION("namespace-annotation");

  private final String text;

  NamePolicy(String text) {
    this.text = text;
  }

  /** As configured: {@code namespace-prefix}. */
  public String text() {
    return text;
  }

  public static List<String> texts() {
    return Arrays.stream(values()).map(NamePolicy::text).toList();
  }

  public static Optional<NamePolicy> parse(String text) {
    String lower = text.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(p -> p.text.equals(lower)).findFirst();
  }

  /** Whether judging a name needs the registration's Namespace object. */
  public boolean readsNamespaces() {
    return this == NAMESPACE_ANNOTATION;
  }

  /**
   * Why {@code serviceName} may not be published from {@code namespace}, naming the policy, the
   * namespace and the rule; empty when it may.
   *
   * @param annotation the Namespace's {@value AllowedNames#ANNOTATION}, when it has one (only
   *     read by {@link #NAMESPACE_ANNOTATION})
   */
  public Optional<String> problem(String namespace, String serviceName, Optional<String> annotation) {
    String refused = "service name '" + serviceName + "' is not allowed in namespace '" + namespace
        + "' by name policy " + text + ": ";
    return switch (this) {
      case ANY -> Optional.empty();
      case NAMESPACE_PREFIX -> serviceName.equals(namespace) || serviceName.startsWith(namespace + "-")
          ? Optional.empty()
          : Optional.of(refused + "the name must be '" + namespace + "' or start with '" + namespace + "-'");
      case NAMESPACE_ANNOTATION -> annotationProblem(namespace, serviceName, annotation).map(refused::concat);
    };
  }

  private static Optional<String> annotationProblem(String namespace, String serviceName, Optional<String> annotation) {
    if (annotation.isEmpty()) {
      return Optional.of("Namespace '" + namespace + "' has no annotation " + AllowedNames.ANNOTATION
          + "; a cluster admin grants the name with: kubectl annotate namespace " + namespace + " "
          + AllowedNames.ANNOTATION + "=" + serviceName);
    }
    AllowedNames allowed = AllowedNames.parse(annotation.get());
    if (allowed.allows(serviceName)) {
      return Optional.empty();
    }
    String grants = allowed.isEmpty() ? "grants no name" : "grants only " + allowed.describe();
    String ignored = allowed.malformed().isEmpty() ? ""
        : " (ignored, being neither a name nor a 'prefix-*' glob: '" + String.join("', '", allowed.malformed()) + "')";
    return Optional.of("the annotation " + AllowedNames.ANNOTATION + " of Namespace '" + namespace + "' "
        + grants + ignored + "; a cluster admin grants the name by adding it, or a glob such as '"
        + serviceName.split("-")[0] + "-*', to that comma-separated list");
  }
}
