package dev.registrar.operator.model;

import dev.registrar.client.EndpointValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** What a reconcile does to the store, decided from (desired, observed) by {@link Decider}. */
public sealed interface Decision {

  /** Write the plan; then the store holds what the tally says. */
  record Write(Plan plan, Tally tally) implements Decision {}

  /** The store already holds what is desired. */
  record Noop(Tally tally) implements Decision {}

  /**
   * Another owner claims the service name: write nothing.
   *
   * @param holder the owner the claim names, empty when its value cannot be read
   * @param sharedBy the clusters whose registrations share the name, empty when one holds it alone
   * @param advice what the message says after who holds the name; empty for "writes nothing until
   *     the claim is released"
   */
  record Conflict(String serviceName, String claimKey, Optional<EndpointValue.Owner> holder, List<String> sharedBy,
      String advice) implements Decision {

    public Conflict {
      sharedBy = List.copyOf(sharedBy);
    }

    public Conflict(String serviceName, String claimKey, Optional<EndpointValue.Owner> holder) {
      this(serviceName, claimKey, holder, List.of(), "");
    }

    /** The Ready message. */
    public String message() {
      String who;
      if (!sharedBy.isEmpty() && holder.isPresent()) {
        who = "is shared by registrations " + holder.get().namespace() + "/" + holder.get().name() + " of cluster"
            + (sharedBy.size() == 1 ? " '" : "s '") + String.join("', '", sharedBy) + "'";
      } else {
        who = "is claimed by " + holder.map(o -> "registration " + o.namespace() + "/" + o.name() + " of cluster '"
            + o.cluster() + "'").orElse("a value Registrar cannot read");
      }
      return "service name '" + serviceName + "' " + who + " (" + claimKey + "); "
          + (advice.isEmpty() ? "this registration writes nothing until the claim is released" : advice);
    }
  }

  /**
   * The registration's standing once the decision is applied.
   *
   * @param registered how many desired endpoints it holds
   * @param heldElsewhere desired keys another owner holds, to the holder in words
   * @param othersUnderPath other keys under its service path that are not its own
   * @param otherClusters for a shared name: each other cluster sharing it, to the endpoints its
   *     registration holds under the service path
   * @param otherPorts for a shared name: each other cluster whose ports differ from this one's, to
   *     its ports
   */
  record Tally(int registered, SortedMap<String, String> heldElsewhere, SortedSet<String> othersUnderPath,
      SortedMap<String, Integer> otherClusters, SortedMap<String, List<String>> otherPorts) {
    public Tally {
      heldElsewhere = new TreeMap<>(heldElsewhere);
      othersUnderPath = new TreeSet<>(othersUnderPath);
      otherClusters = new TreeMap<>(otherClusters);
      otherPorts = new TreeMap<>(otherPorts);
    }

    public static Tally of(int registered, Map<String, String> heldElsewhere, Set<String> othersUnderPath) {
      return new Tally(registered, new TreeMap<>(heldElsewhere), new TreeSet<>(othersUnderPath), new TreeMap<>(),
          new TreeMap<>());
    }
  }
}
