package dev.registrar.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodMembershipTest {

  static final ResourceID A = new ResourceID("a", "shop");
  static final ResourceID B = new ResourceID("b", "shop");
  static final ResourceID POD = new ResourceID("pod", "shop");

  @Test
  void remembersTheRegistrationsAPodMatchedUntilTheyReconcileWithoutIt() {
    PodMembership membership = new PodMembership();
    membership.update(A, Set.of(POD));
    membership.update(B, Set.of(POD));
    assertThat(membership.registrationsOf(POD)).containsExactlyInAnyOrder(A, B);

    membership.update(A, Set.of());
    assertThat(membership.registrationsOf(POD)).containsExactly(B);
    membership.remove(B);
    assertThat(membership.registrationsOf(POD)).isEmpty();
  }
}
