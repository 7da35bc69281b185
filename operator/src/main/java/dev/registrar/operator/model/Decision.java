package dev.registrar.operator.model;

import dev.registrar.client.EndpointValue;
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
   */
  record Conflict(String serviceName, String claimKey, Optional<EndpointValue.Owner> holder) implements Decision {
    /** The Ready message. */
    public String message() {
      String who = holder.map(o -> "registration " + o.namespace() + "/" + o.name() + " of cluster '"
          + o.cluster() + "'").orElse("a value Registrar cannot read");
      return "service name '" + serviceName + "' is claimed by " + who + " (" + claimKey
          + "); this registration writes nothing until the claim is released";
    }
  }

  /**
   * The registration's standing once the decision is applied.
   *
   * @param registered how many desired endpoints it holds
   * @param heldElsewhere desired keys another owner holds, to the holder in words
   * @param othersUnderPath other keys under its service path that are not its own
   */
  record Tally(int registered, SortedMap<String, String> heldElsewhere, SortedSet<String> othersUnderPath) {
    public Tally {
      heldElsewhere = new TreeMap<>(heldElsewhere);
      othersUnderPath = new TreeSet<>(othersUnderPath);
    }

    public static Tally of(int registered, Map<String, String> heldElsewhere, Set<String> othersUnderPath) {
      return new Tally(registered, new TreeMap<>(heldElsewhere), new TreeSet<>(othersUnderPath));
    }
  }
}
