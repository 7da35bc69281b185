package dev.registrar.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which registrations each Pod matched at their last reconcile. A Pod whose labels change no
 * longer matches its old registration, yet that registration must hear of it to drop its keys;
 * the informer hands us only the new Pod, so we remember the old match here.
 */
final class PodMembership {

  private final Map<ResourceID, Set<ResourceID>> podsByRegistration = new HashMap<>();
  private final Map<ResourceID, Set<ResourceID>> registrationsByPod = new HashMap<>();

  synchronized void update(ResourceID registration, Set<ResourceID> pods) {
    if (pods.equals(podsByRegistration.get(registration))) {
      return; // the usual case: a readiness change, not a change of which Pods match
    }
    remove(registration);
    podsByRegistration.put(registration, Set.copyOf(pods));
    for (ResourceID pod : pods) {
      registrationsByPod.computeIfAbsent(pod, p -> new HashSet<>()).add(registration);
    }
  }

  synchronized void remove(ResourceID registration) {
    Set<ResourceID> pods = podsByRegistration.remove(registration);
    if (pods == null) {
      return;
    }
    for (ResourceID pod : pods) {
      Set<ResourceID> registrations = registrationsByPod.get(pod);
      if (registrations != null) {
        registrations.remove(registration);
        if (registrations.isEmpty()) {
          registrationsByPod.remove(pod);
        }
      }
    }
  }

  synchronized Set<ResourceID> podsOf(ResourceID registration) {
    return podsByRegistration.getOrDefault(registration, Set.of());
  }

  synchronized Set<ResourceID> registrationsOf(ResourceID pod) {
    return Set.copyOf(registrationsByPod.getOrDefault(pod, Set.of()));
  }
}
