package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.model.AllowedNames;
import dev.registrar.operator.model.NamePolicy;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether a registration may publish its service name under the configured {@link NamePolicy}.
 * The annotation policy reads Namespaces from an informer whose cache keeps only their names and
 * annotations; a change of the annotation reconciles every registration in that namespace.
 */
final class NamePermissions {

  private final NamePolicy policy;
  private volatile InformerEventSource<Namespace, ServiceRegistration> namespaces;

  NamePermissions(NamePolicy policy) {
    this.policy = policy;
  }

  NamePolicy policy() {
    return policy;
  }

  /** The Namespace informer, when the policy reads Namespaces. */
  List<EventSource<?, ServiceRegistration>> eventSources(EventSourceContext<ServiceRegistration> context,
      IndexerResourceCache<ServiceRegistration> registrations) {
    if (!policy.readsNamespaces()) {
      return List.of();
    }
    var configuration = InformerEventSourceConfiguration.from(Namespace.class, ServiceRegistration.class)
        .withName("namespaces")
        // Namespaces are cluster-scoped: even in watchNamespaces mode this is one cluster-wide watch.
        .withWatchAllNamespaces()
        .withSecondaryToPrimaryMapper((Namespace namespace) -> registrations.list(namespace.getMetadata().getName())
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withOnUpdateFilter((now, before) -> !Objects.equals(annotationOf(now), annotationOf(before)))
        // A Namespace's status and spec are of no use here: keep names and annotations only.
        .withItemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Namespace.class,
            context.getClient().getKubernetesSerialization(), "metadata.annotations"))
        .build();
    namespaces = new InformerEventSource<>(configuration, context);
    return List.of(namespaces);
  }

  /**
   * Why the registration may not publish its name, or empty when it may.
   *
   * @param client reads a Namespace the informer has not seen yet (created a moment ago)
   */
  Optional<String> problem(ServiceRegistration registration, KubernetesClient client) {
    String namespace = registration.getMetadata().getNamespace();
    Optional<String> annotation = policy.readsNamespaces() ? annotationOf(namespace, client) : Optional.empty();
    return policy.problem(namespace, registration.effectiveServiceName(), annotation);
  }

  private Optional<String> annotationOf(String namespace, KubernetesClient client) {
    Optional<Namespace> cached = namespaces.get(new ResourceID(namespace));
    Namespace object = cached.orElseGet(() -> client.namespaces().withName(namespace).get());
    return Optional.ofNullable(object).flatMap(NamePermissions::annotationOf);
  }

  private static Optional<String> annotationOf(Namespace namespace) {
    return Optional.ofNullable(namespace.getMetadata().getAnnotations())
        .map(annotations -> annotations.get(AllowedNames.ANNOTATION));
  }
}
