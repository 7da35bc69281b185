package dev.registrar.operator;

import dev.registrar.operator.model.RequiredPermissions.Permission;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;

/**
 * Before anything starts: does the API server grant this identity every permission the
 * configuration needs? One SelfSubjectAccessReview per permission, which every authenticated
 * identity may create (Kubernetes' default ClusterRole system:basic-user). A missing verb then
 * stops the operator at once, naming it, instead of a half-working operator whose 403s surface
 * one at a time, some only in a race.
 */
final class KubernetesPermissionCheck {

  /** What the API server said. */
  sealed interface Outcome {
    /** Every permission is granted. */
    record Granted() implements Outcome {}

    /** These are refused, with the API server's reason where it gave one. */
    record Denied(List<String> refusals) implements Outcome {}

    /**
     * The API server did not answer the question (why, in words): the operator starts anyway.
     * {@code refused} when an authorizer refused the review itself (worth a warning); otherwise
     * nothing behind the API evaluates reviews (fabric8's mock server).
     */
    record Unknown(String why, boolean refused) implements Outcome {}
  }

  private KubernetesPermissionCheck() {}

  static Outcome check(KubernetesClient kubernetes, List<Permission> required) {
    List<String> refusals = new ArrayList<>();
    for (Permission permission : required) {
      SelfSubjectAccessReview answer;
      try {
        answer = kubernetes.authorization().v1().selfSubjectAccessReview().create(review(permission));
      } catch (KubernetesClientException e) {
        return new Outcome.Unknown("a SelfSubjectAccessReview was answered HTTP " + e.getCode(), e.getCode() == 403);
      }
      if (answer == null || answer.getStatus() == null || answer.getStatus().getAllowed() == null) {
        // Not an authorizer: fabric8's mock server stores the review and returns it unanswered.
        return new Outcome.Unknown("the API server returned no decision for a SelfSubjectAccessReview", false);
      }
      if (!answer.getStatus().getAllowed()) {
        String reason = answer.getStatus().getReason();
        refusals.add(permission.describe() + ", needed for " + permission.why()
            + (reason == null || reason.isBlank() ? "" : " (API server: " + reason + ")"));
      }
    }
    return refusals.isEmpty() ? new Outcome.Granted() : new Outcome.Denied(List.copyOf(refusals));
  }

  private static SelfSubjectAccessReview review(Permission permission) {
    return new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
        .withGroup(permission.group()).withResource(permission.resource())
        .withSubresource(permission.subresource().isEmpty() ? null : permission.subresource())
        .withVerb(permission.verb()).withNamespace(permission.namespace().orElse(null))
        .withName(permission.name().isEmpty() ? null : permission.name())
        .endResourceAttributes().endSpec().build();
  }
}
