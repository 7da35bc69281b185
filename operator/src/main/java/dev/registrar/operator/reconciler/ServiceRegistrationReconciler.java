package dev.registrar.operator.reconciler;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.ServiceClaims;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationStatus;
import dev.registrar.operator.etcd.Availability;
import dev.registrar.operator.etcd.ConcurrentChangeException;
import dev.registrar.operator.etcd.EtcdUnavailableException;
import dev.registrar.operator.etcd.LeaseNotFoundException;
import dev.registrar.operator.etcd.RegistryChange;
import dev.registrar.operator.etcd.RegistryCounters;
import dev.registrar.operator.etcd.RegistryException;
import dev.registrar.operator.metrics.RegistrarMetrics;
import dev.registrar.operator.model.Conditions;
import dev.registrar.operator.model.Decider;
import dev.registrar.operator.model.Decision;
import dev.registrar.operator.model.DesiredState;
import dev.registrar.operator.model.DesiredStateCalculator;
import dev.registrar.operator.model.LabelSelectors;
import dev.registrar.operator.model.NamePolicy;
import dev.registrar.operator.model.Ownership;
import dev.registrar.operator.model.Plan;
import dev.registrar.operator.model.Planner;
import dev.registrar.operator.model.PodPruning;
import dev.registrar.operator.model.ReadinessGates;
import dev.registrar.operator.model.Zones;
import dev.registrar.operator.model.Reasons;
import dev.registrar.operator.model.RegistryContext;
import dev.registrar.operator.model.SharedClaim;
import dev.registrar.operator.model.SpecValidation;
import dev.registrar.operator.model.StatusCalculator;
import dev.registrar.operator.model.StoredKey;
import dev.registrar.operator.store.RegistrationStore;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps the store true to a registration's ready Pods, as external-dns does its zones: observe
 * (the Pods, the keys the store holds), decide (a pure {@link Decider}), apply (one transaction
 * under the registration's lease), then report (status, Events). Errors throw, so JOSDK retries
 * with backoff; each {@link RegistryException} names the Ready reason it reports meanwhile.
 */
@ControllerConfiguration(name = ServiceRegistrationReconciler.NAME)
public class ServiceRegistrationReconciler
    implements Reconciler<ServiceRegistration>, Cleaner<ServiceRegistration> {

  public static final String NAME = "serviceregistration";

  private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistrationReconciler.class);
  /** The MDC key of the registration a log line is about: namespace/name. */
  public static final String MDC_KEY = "registration";
  /** How often a registration in Conflict looks again whether the name was released. */
  static final Duration CONFLICT_RECHECK = Duration.ofSeconds(3);
  /** Pods per page of the informer's list (client-go's reflector pages by 500 too). */
  static final long POD_LIST_PAGE = 500;

  private final RegistryContext registry;
  private final RegistrationStore store;
  private final RegistrationStates states;
  private final RegistrationLeases leases;
  private final Availability health;
  private final NamePermissions names;
  private final EventSink events;
  private final EventCoalescer changes;
  private final Clock clock;
  private final RegistryCounters counters;
  private final RegistrarMetrics metrics;
  private final ReadinessLatency readinessLatency;
  // Reconciles asked for from outside JOSDK: a lost lease, a change in etcd made by someone else.
  private final SimpleInboundEventSource<ServiceRegistration> triggers =
      new SimpleInboundEventSource<>("registry-triggers");
  private volatile boolean stopping;
  private volatile java.util.function.Supplier<Optional<String>> clusterNameRefusal = Optional::empty;
  // The Pods a registration may select: from the informer's cache once the event sources are prepared.
  private volatile Function<ServiceRegistration, List<Pod>> podsIn = registration -> List.of();
  private volatile IndexerResourceCache<ServiceRegistration> registrations;
  // A Pod by its id, from the informer's cache.
  private volatile Function<ResourceID, Optional<Pod>> podById = id -> Optional.empty();
  private final PodGates gates;
  private final Zones zones;

  public ServiceRegistrationReconciler(RegistryContext registry, RegistrationStore store,
      RegistrationStates states, Availability health, NamePolicy namePolicy, EventSink events,
      EventCoalescer changes, Clock clock, RegistryCounters counters, RegistrarMetrics metrics,
      GateWriter gateWriter) {
    this.registry = registry;
    this.gates = new PodGates(registry.readinessGate(), gateWriter, states::registrationsOf,
        (pod, message) -> events.warning(pod, PodGates.GATE_NOT_SERVED, message));
    this.zones = registry.topology() ? new NodeZones() : Zones.NONE;
    this.store = store;
    this.states = states;
    this.leases = new RegistrationLeases(store, states, this::leaseLost);
    this.health = health;
    this.names = new NamePermissions(namePolicy);
    this.events = events;
    this.changes = changes;
    this.clock = clock;
    this.counters = counters;
    this.metrics = metrics;
    this.readinessLatency = new ReadinessLatency(metrics, clock.instant());
  }

  /** The keepalive of a registration's lease ended: etcd may no longer have it. Reconcile at once. */
  void leaseLost(ResourceID registration, long leaseId) {
    states.find(registration).ifPresent(state -> state.lostLease.set(leaseId));
    triggers.propagateEvent(registration);
  }

  /**
   * Somebody else changed a key in etcd (deleted, altered, or it expired): let the registrations
   * it concerns repair it. Those are this cluster's owners its value named, before or after, and
   * the holders of the leases it was bound to. A registration kept from a key by its holder
   * looks again too, and so does one sharing its name with the other cluster that changed it.
   */
  public void foreignChange(RegistryChange change) {
    Set<ResourceID> targets = new HashSet<>();
    for (EndpointValue.Owner owner : change.owners()) {
      if (owner.cluster() != null && owner.cluster().equals(registry.clusterName())
          && owner.name() != null && owner.namespace() != null) {
        targets.add(new ResourceID(owner.name(), owner.namespace()));
      }
    }
    change.leases().forEach(lease -> states.holderOf(lease).ifPresent(targets::add));
    if (!targets.isEmpty()) {
      counters.driftRepairs.incrementAndGet();
    }
    registry.prefix().parse(change.key())
        .flatMap(key -> states.blockedOn(key.serviceName()))
        .ifPresent(targets::add);
    // Another cluster's registration of a shared name changed its keys: this cluster's one of the
    // same namespace and name says so in its status.
    IndexerResourceCache<ServiceRegistration> cache = registrations;
    for (EndpointValue.Owner owner : change.owners()) {
      if (cache != null && owner.cluster() != null && !owner.cluster().equals(registry.clusterName())
          && owner.name() != null && owner.namespace() != null) {
        ResourceID peer = new ResourceID(owner.name(), owner.namespace());
        cache.get(peer).filter(r -> r.getSpec() != null && r.getSpec().sharedAcrossClusters()).ifPresent(r -> targets.add(peer));
      }
    }
    targets.forEach(triggers::propagateEvent);
  }

  /**
   * Where the operator learns whether another cluster holds its cluster name in the registry
   * (then nothing is written); without it, never.
   */
  public void useClusterNameRefusal(java.util.function.Supplier<Optional<String>> refusal) {
    this.clusterNameRefusal = refusal;
  }

  /** Another cluster took this cluster's name, or let it go: every registration says so now. */
  public void clusterNameChanged(Optional<String> refusal) {
    reconcileAll();
  }

  /** etcd went away or came back: every registration's Ready says so now, not at its next event. */
  public void etcdHealthChanged(Optional<Availability.Outage> outage) {
    reconcileAll();
  }

  private void reconcileAll() {
    IndexerResourceCache<ServiceRegistration> cache = registrations;
    if (cache != null) {
      cache.list().map(ResourceID::fromResource).forEach(triggers::propagateEvent);
    }
  }

  /** The operator is stopping: a reconcile cut short says nothing about etcd. */
  public void stopping() {
    stopping = true;
  }

  @Override
  public List<EventSource<?, ServiceRegistration>> prepareEventSources(
      EventSourceContext<ServiceRegistration> context) {
    IndexerResourceCache<ServiceRegistration> registrations = context.getPrimaryCache();
    registrations.addIndexer(RegistrationsBySelector.INDEX, RegistrationsBySelector::keys);
    this.registrations = registrations;
    var configuration = InformerEventSourceConfiguration.from(Pod.class, ServiceRegistration.class)
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper((Pod pod) -> registrationsFor(pod, registrations))
        // An update that changes nothing a reconcile reads (the gate's own patch, a container
        // restart, another controller's annotation) triggers none.
        .withOnUpdateFilter((Pod now, Pod before) -> !PodPruning.nothingReadChanged(before, now))
        // Pods pruned to the fields the operator reads: most of a Pod's bytes are never looked at.
        .withItemStore(new PrunedPodStore())
        // The first list in pages: 10,000 Pods at once would be the heap's peak, a full copy
        // of every Pod before pruning (see docs/benchmarks.md, footprint).
        .withInformerListLimit(POD_LIST_PAGE)
        .build();
    InformerEventSource<Pod, ServiceRegistration> pods = new InformerEventSource<>(configuration, context) {
      // A gated Pod that no registration selects hears why it is not Ready.
      @Override
      public void onAdd(Pod pod) {
        super.onAdd(pod);
        gates.podChanged(pod, false);
      }

      @Override
      public void onUpdate(Pod before, Pod pod) {
        super.onUpdate(before, pod);
        gates.podChanged(pod, false);
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        super.onDelete(pod, finalStateUnknown);
        gates.podChanged(pod, true);
      }
    };
    // Pods by each of their labels: a reconcile looks at the Pods that carry one of its
    // selector's labels, not at every Pod of the namespace (100 registrations × 10,000 Pods).
    pods.addIndexers(Map.of(PodsByLabel.INDEX, PodsByLabel::keys, NodeZones.POD_INDEX, NodeZones::podKeys));
    usePods(registration -> PodsByLabel.candidates(registration, pods));
    podById = pods::get;
    gates.useSelecting(pod -> selecting(pod, registrations));
    List<EventSource<?, ServiceRegistration>> sources = new ArrayList<>(List.of(pods, triggers));
    sources.addAll(names.eventSources(context, registrations));
    if (zones instanceof NodeZones nodes) {
      sources.add(nodes.eventSource(context, node -> pods.byIndex(NodeZones.POD_INDEX, node),
          pod -> registrationsFor(pod, registrations)));
    }
    return sources;
  }

  /** The registrations that select a Pod now, those being deleted aside. */
  private static List<ServiceRegistration> selecting(Pod pod, IndexerResourceCache<ServiceRegistration> registrations) {
    return RegistrationsBySelector.candidates(pod, registrations)
        .filter(r -> r.getMetadata().getDeletionTimestamp() == null && selects(r, pod))
        .toList();
  }

  private static boolean selects(ServiceRegistration registration, Pod pod) {
    try {
      return registration.getSpec() != null
          && LabelSelectors.matches(registration.getSpec().getSelector(), pod.getMetadata().getLabels());
    } catch (RuntimeException e) {
      return false; // an invalid selector selects nothing
    }
  }

  /** Where a registration's candidate Pods come from: the informer, or a list in unit tests. */
  void usePods(Function<ServiceRegistration, List<Pod>> podsIn) {
    this.podsIn = podsIn;
  }

  /** The registrations a Pod event concerns: those that match it now, and those it matched. */
  private Set<ResourceID> registrationsFor(Pod pod, IndexerResourceCache<ServiceRegistration> registrations) {
    Set<ResourceID> ids = RegistrationsBySelector.candidates(pod, registrations)
        .filter(r -> selects(r, pod))
        .map(ResourceID::fromResource)
        .collect(Collectors.toCollection(HashSet::new));
    ids.addAll(states.registrationsOf(ResourceID.fromResource(pod)));
    return ids;
  }

  @Override
  public UpdateControl<ServiceRegistration> reconcile(ServiceRegistration registration,
      Context<ServiceRegistration> context) {
    try (var mdc = MDC.putCloseable(MDC_KEY, nameOf(registration))) {
      return reconcileRegistration(registration, context.getClient());
    }
  }

  static String nameOf(ServiceRegistration registration) {
    return registration.getMetadata().getNamespace() + "/" + registration.getMetadata().getName();
  }

  private static long generationOf(ServiceRegistration registration) {
    return Optional.ofNullable(registration.getMetadata().getGeneration()).orElse(0L);
  }

  /** Whether Ready is already False for {@code reason}: events and counters fire on the turn only. */
  private static boolean readyIsFalseFor(ServiceRegistration registration, String reason) {
    return Conditions.find(registration.getStatus() == null ? null : registration.getStatus().getConditions(),
        Conditions.READY).map(c -> "False".equals(c.getStatus()) && reason.equals(c.getReason())).orElse(false);
  }

  UpdateControl<ServiceRegistration> reconcileRegistration(ServiceRegistration registration,
      KubernetesClient client) {
    Optional<String> problem = SpecValidation.problem(registration);
    if (problem.isPresent()) {
      gatesWhileNotReady(registration, Reasons.INVALID_SPEC, problem.get(), true);
      return notReady(registration, Reasons.INVALID_SPEC, problem.get());
    }
    problem = names.problem(registration, client);
    if (problem.isPresent()) {
      return refuse(registration, problem.get());
    }
    RegistrationState state = states.of(registration);
    // Observe: the Pods from the informer cache, the desired keys from them, the stored keys.
    List<Pod> pods = podsIn.apply(registration);
    DesiredState desired;
    try {
      desired = desiredState(registration, pods, state);
    } catch (EndpointCodec.ValueTooLargeException e) {
      gatesWhileNotReady(registration, Reasons.INVALID_SPEC, "spec.metadata: " + e.getMessage(), true);
      return notReady(registration, Reasons.INVALID_SPEC, "spec.metadata: " + e.getMessage());
    }
    Optional<Availability.Outage> outage = health.outage();
    if (outage.isPresent()) {
      String message = outageMessage(registration, outage.get());
      gatesWhileNotReady(registration, Reasons.ETCD_UNAVAILABLE, message, true);
      return notReady(registration, Reasons.ETCD_UNAVAILABLE, message);
    }
    Optional<String> nameTaken = clusterNameRefusal.get();
    if (nameTaken.isPresent()) {
      gatesWhileNotReady(registration, Reasons.CLUSTER_NAME_TAKEN, nameTaken.get(), true);
      return notReady(registration, Reasons.CLUSTER_NAME_TAKEN, nameTaken.get());
    }
    Decider.Target target = targetOf(registration);
    String servicePath = registry.prefix().servicePath(target.serviceName());
    Set<Long> known = leases.all(registration, state);
    Map<String, StoredKey> observed = store.observe(new RegistrationStore.Scope(servicePath, target.claimKey(), known));
    // Decide: another owner's claim on the name means nothing is written, and no lease granted.
    Optional<Decision.Conflict> conflict = Decider.conflict(target, observed, known);
    if (conflict.isPresent()) {
      return conflicted(registration, conflict.get());
    }
    RegistrationLeases.Choice lease = chooseLease(registration, state);
    RegistrationStore.Scope scope = new RegistrationStore.Scope(servicePath, target.claimKey(), lease.ids());
    // Apply: one transaction; a failed compare means the view was behind: read, decide, try once more.
    Decision decision = Decider.decide(desired, target, observed, lease.ids(), lease.id());
    try {
      decision = applied(decision, lease, state);
    } catch (ConcurrentChangeException e) {
      observed = store.reread(scope);
      decision = applied(Decider.decide(desired, target, observed, lease.ids(), lease.id()), lease, state);
    }
    if (decision instanceof Decision.Conflict lost) {
      return conflicted(registration, lost);
    }
    // Report.
    return report(registration, state, lease, decision, desired, observed, pods);
  }

  /** Who the registration is and where it writes: its name alone, or shared across clusters. */
  private Decider.Target targetOf(ServiceRegistration registration) {
    EndpointValue.Owner owner = DesiredStateCalculator.ownerOf(registration, registry);
    return registration.getSpec().sharedAcrossClusters()
        ? Decider.Target.shared(owner, registration.effectiveServiceName(), SharedClaim.portsOf(registration.getSpec().getPorts()))
        : Decider.Target.of(owner, registration.effectiveServiceName());
  }

  /** The desired keys, remembering which Pods the registration matched. */
  private DesiredState desiredState(ServiceRegistration registration, List<Pod> pods, RegistrationState state) {
    DesiredState desired = state.encoder.round(encoder ->
        DesiredStateCalculator.compute(registration, pods, registry, zones, encoder));
    String namespace = registration.getMetadata().getNamespace();
    ResourceID id = ResourceID.fromResource(registration);
    Set<ResourceID> before = states.matchedPods(id);
    Set<ResourceID> now = desired.matchedPodNames().stream()
        .map(pod -> new ResourceID(pod, namespace)).collect(Collectors.toSet());
    states.matched(id, now);
    if (gates.enabled() && !before.equals(now)) {
      unselected(before.stream().filter(pod -> !now.contains(pod)).toList());
    }
    return desired;
  }

  /** Pods this registration no longer selects: a gated one that nobody selects now says so. */
  private void unselected(java.util.Collection<ResourceID> pods) {
    pods.forEach(pod -> podById.apply(pod).ifPresent(p -> gates.podChanged(p, false)));
  }

  /** The Pods of its namespace the registration selects now. */
  private List<Pod> selectedPods(ServiceRegistration registration) {
    String namespace = registration.getMetadata().getNamespace();
    return podsIn.apply(registration).stream()
        .filter(pod -> namespace.equals(pod.getMetadata().getNamespace()) && selects(registration, pod))
        .toList();
  }

  /** The registration cannot register now: its gated Pods not registered yet say why. */
  private void gatesWhileNotReady(ServiceRegistration registration, String reason, String message, boolean keysKept) {
    if (!gates.enabled()) {
      return;
    }
    boolean publishNotReady = registration.getSpec() != null && registration.getSpec().effectivePublishNotReadyAddresses();
    List<Pod> gated = gates.gated(selectedPods(registration));
    gates.write(registration, gated, ReadinessGates.whileNotReady(nameOf(registration), gated,
        registry.readinessGate(), publishNotReady, reason, message, keysKept));
  }

  private UpdateControl<ServiceRegistration> conflicted(ServiceRegistration registration, Decision.Conflict conflict) {
    if (!readyIsFalseFor(registration, Reasons.CONFLICT)) {
      metrics.conflict();
    }
    gatesWhileNotReady(registration, Reasons.CONFLICT, conflict.message(), true);
    return notReady(registration, Reasons.CONFLICT, conflict.message()).rescheduleAfter(CONFLICT_RECHECK);
  }

  /** The lease for the keys, saying so when it replaces one etcd dropped. */
  private RegistrationLeases.Choice chooseLease(ServiceRegistration registration, RegistrationState state) {
    RegistrationLeases.Choice lease = leases.choose(registration, state);
    long lost = state.lostLease.get();
    if (lost != 0 && lease.id() == lost) {
      // jetcd ended the keepalive (no answer in time), but etcd still has the lease: not lost.
      LOG.info("the keepalive of lease {} ended but etcd still has the lease; renewing it again", RegistrationLeases.hex(lost));
      state.lostLease.compareAndSet(lost, 0);
    } else if (lost != 0) {
      counters.leaseRegrants.incrementAndGet();
      if (!state.lostAnnounced) {
        state.lostAnnounced = true;
        LOG.warn("lease {} is gone from etcd; granting a new one", RegistrationLeases.hex(lost));
        events.warning(registration, Reasons.LEASE_LOST, "Lease " + RegistrationLeases.hex(lost)
            + " is gone from etcd (it expired or was revoked); registering every endpoint again under a new lease");
      }
    }
    return lease;
  }

  /** Writes what the decision says; the replaced lease goes once its keys have moved. */
  private Decision applied(Decision decision, RegistrationLeases.Choice lease, RegistrationState state) {
    if (decision instanceof Decision.Write write) {
      try {
        store.apply(write.plan(), lease.id());
      } catch (LeaseNotFoundException e) {
        // Expired or revoked under us: the keepalive may not have said so yet. Same as a lost lease.
        leases.release(state, lease.id());
        state.lostLease.compareAndSet(0, lease.id());
        throw e;
      }
    }
    if (!(decision instanceof Decision.Conflict)) {
      lease.replaced().ifPresent(old -> {
        store.revokeLease(old);
        leases.release(state, old);
      });
    }
    return decision;
  }

  /** Status, Events and metrics once the store holds what the decision says. */
  private UpdateControl<ServiceRegistration> report(ServiceRegistration registration, RegistrationState state,
      RegistrationLeases.Choice lease, Decision decision, DesiredState desired, Map<String, StoredKey> observed,
      List<Pod> pods) {
    ResourceID id = ResourceID.fromResource(registration);
    Decision.Tally tally = decision instanceof Decision.Write write ? write.tally() : ((Decision.Noop) decision).tally();
    if (decision instanceof Decision.Write write) {
      recordChanges(registration, write.plan(), desired);
      readinessLatency.record(write.plan(), desired, observed, pods, clock.instant());
    }
    state.registered = tally.registered();
    metrics.registeredEndpoints(id, tally.registered());
    long lost = state.lostLease.get();
    if (lost != 0 && state.lostLease.compareAndSet(lost, 0)) {
      state.lostAnnounced = false;
      events.normal(registration, Reasons.LEASE_RENEWED, "Lease " + RegistrationLeases.hex(lost)
          + " was gone from etcd; " + count(tally.registered()) + " registered again under lease "
          + RegistrationLeases.hex(lease.id()));
    }
    states.blocked(registration.effectiveServiceName(), id, !tally.heldElsewhere().isEmpty());
    List<Pod> matched = pods.stream().filter(p -> desired.matchedPodNames().contains(p.getMetadata().getName())
        && registration.getMetadata().getNamespace().equals(p.getMetadata().getNamespace())).toList();
    if (gates.enabled()) {
      List<Pod> gated = gates.gated(matched);
      gates.write(registration, gated, ReadinessGates.afterCommit(nameOf(registration), gated, desired,
          tally.heldElsewhere()));
    } else {
      gates.notServed(registration, matched);
    }
    warnIgnoredOverrides(state, desired, pods);
    ServiceRegistrationStatus next = StatusCalculator.synced(registration.getStatus(), generationOf(registration),
        RegistrationLeases.hex(lease.id()), desired, tally.registered(), tally.heldElsewhere(),
        tally.othersUnderPath(), clock.instant());
    boolean shared = registration.getSpec().sharedAcrossClusters();
    next = StatusCalculator.clusterSet(next, shared, tally.otherClusters(), tally.otherPorts(),
        SharedClaim.portsOf(registration.getSpec().getPorts()), generationOf(registration), clock.instant());
    // A Warning Event when the ports turn inconsistent, once: the cached status can lag behind the
    // patch just made, so the state remembers it (as warnOnTransition does for Ready).
    Optional<io.fabric8.kubernetes.api.model.Condition> inconsistent = Conditions.find(next.getConditions(),
        Conditions.CLUSTER_SET_CONSISTENT).filter(c -> "False".equals(c.getStatus()));
    if (inconsistent.isPresent() && !state.portsWarned) {
      events.warning(registration, inconsistent.get().getReason(), inconsistent.get().getMessage());
    }
    state.portsWarned = inconsistent.isPresent();
    Conditions.find(next.getConditions(), Conditions.READY)
        .filter(c -> Reasons.KEYS_HELD_ELSEWHERE.equals(c.getReason()))
        .ifPresent(c -> warnOnTransition(registration, c.getReason(), c.getMessage()));
    if (Conditions.isTrue(next.getConditions(), Conditions.READY)) {
      state.warnedReason = null;
    }
    return patchIfChanged(registration, next);
  }

  /**
   * The name policy does not let this registration publish its name: it writes nothing, and
   * gives up whatever it holds (its leases, its keys, the claim), because a changed policy or
   * Namespace annotation can take back a name that was allowed before.
   */
  private UpdateControl<ServiceRegistration> refuse(ServiceRegistration registration, String message) {
    warnOnTransition(registration, Reasons.NAME_NOT_ALLOWED, message);
    ResourceID id = ResourceID.fromResource(registration);
    RegistrationState state = states.of(registration);
    ServiceRegistrationStatus status = registration.getStatus();
    Set<Long> held = leases.all(registration, state);
    boolean mayHoldKeys = !held.isEmpty() || state.registered > 0
        || (status != null && status.getRegisteredEndpoints() != null && status.getRegisteredEndpoints() > 0);
    if (mayHoldKeys && health.outage().isPresent()) {
      // Stop renewing now: the keys go with the lease TTL even if etcd stays away. status.leaseId
      // stays, so the revocation happens as soon as etcd answers (its return reconciles us).
      held.forEach(lease -> leases.release(state, lease));
      gatesWhileNotReady(registration, Reasons.NAME_NOT_ALLOWED, message, true);
      return notReady(registration, Reasons.NAME_NOT_ALLOWED, message);
    }
    if (mayHoldKeys) {
      int left = withdraw(registration, state);
      LOG.info("name not allowed: leases revoked (their keys and the claim went with them), {} on no lease of "
          + "its own deleted", left == 1 ? "1 key" : left + " keys");
    }
    states.clearKeys(id);
    metrics.registeredEndpoints(id, 0);
    gatesWhileNotReady(registration, Reasons.NAME_NOT_ALLOWED, message, false);
    return patchIfChanged(registration, StatusCalculator.withdrawn(registration.getStatus(), generationOf(registration),
        Reasons.NAME_NOT_ALLOWED, message, clock.instant()));
  }

  /**
   * Revokes the registration's leases (etcd deletes every key bound to them), then deletes what
   * its value still owns on another lease or none. Keys of anybody else are never touched. With a
   * service name that is no valid name, there is no path to look under: the leases are all.
   *
   * @return how many keys were still there after the revocation, and deleted
   */
  private int withdraw(ServiceRegistration registration, RegistrationState state) {
    for (long lease : leases.all(registration, state)) {
      store.revokeLease(lease);
      leases.release(state, lease);
    }
    if (SpecValidation.problem(registration).isPresent()) {
      return 0;
    }
    String serviceName = registration.effectiveServiceName();
    Map<String, StoredKey> stored = store.reread(new RegistrationStore.Scope(
        registry.prefix().servicePath(serviceName), ServiceClaims.key(serviceName), Set.of()));
    // Its leases are revoked: what is left is owned by value only, and a shared claim.
    Plan plan = Decider.withdrawal(stored, DesiredStateCalculator.ownerOf(registration, registry), serviceName);
    store.apply(plan, 0);
    return plan.deletes().size();
  }

  /**
   * What Ready says while etcd is away. It stays the same for the whole outage, so that an outage
   * costs one status patch going down and one coming back.
   */
  private static String outageMessage(ServiceRegistration registration, Availability.Outage outage) {
    ServiceRegistrationStatus status = registration.getStatus();
    String lease = status == null || status.getLeaseId() == null ? null : status.getLeaseId();
    String keys = lease == null ? "nothing was registered yet"
        : "the keys already registered stay in etcd until lease " + lease + " runs out ("
            + registration.getSpec().effectiveLeaseTTLSeconds() + " s after its last renewal)";
    return "etcd unreachable since " + outage.since().truncatedTo(ChronoUnit.SECONDS) + " (" + outage.cause()
        + "); " + keys + "; no change is registered until etcd answers again";
  }

  /** Registered and Deregistered Events, coalesced: at most one of each per registration per 10 s. */
  private void recordChanges(ServiceRegistration registration, Plan plan, DesiredState desired) {
    List<String> added = plan.puts().stream()
        .filter(p -> p.expectedModRevision() == 0 && !ServiceClaims.isClaimKey(p.key()))
        .map(p -> describe(desired, p.key())).toList();
    List<String> removed = plan.deletes().stream().map(Plan.Delete::key)
        .filter(key -> !ServiceClaims.isClaimKey(key)).map(this::endpointOf).toList();
    // The registration is in the MDC of every line logged here. A line per change stays short at
    // any scale (a cold start of 1,000 registrations must not log 100,000 names at INFO): the
    // count and the first few, with every name at DEBUG.
    if (!added.isEmpty()) {
      LOG.info("registered {}", counted(added));
      logAll("registered", added);
      changes.changed(registration, Reasons.REGISTERED, added);
    }
    if (!removed.isEmpty()) {
      LOG.info("deregistered {}", counted(removed));
      logAll("deregistered", removed);
      changes.changed(registration, Reasons.DEREGISTERED, removed);
    }
  }

  private String describe(DesiredState desired, String key) {
    var endpoint = desired.endpoints().get(key);
    return endpoint.key().endpoint() + " (pod " + endpoint.value().pod() + ")";
  }

  private String endpointOf(String key) {
    return registry.prefix().parse(key).map(k -> k.serviceName() + "/" + k.endpoint()).orElse(key);
  }

  /** "3 endpoints: a, b, c", or "100 endpoints: a, b, c and 97 more". */
  static String counted(List<String> endpoints) {
    return count(endpoints.size()) + ": " + StatusCalculator.summary(endpoints);
  }

  private static void logAll(String what, List<String> endpoints) {
    if (endpoints.size() > StatusCalculator.MAX_NOTES && LOG.isDebugEnabled()) {
      LOG.debug("{} all {}: {}", what, count(endpoints.size()), String.join(", ", endpoints));
    }
  }

  private static String count(int n) {
    return n + (n == 1 ? " endpoint" : " endpoints");
  }

  /**
   * A Warning Event on each Pod whose registrar.dev annotations were ignored, once per change of
   * what was ignored: the Pod is registered with the registration's own values meanwhile.
   */
  private void warnIgnoredOverrides(RegistrationState state, DesiredState desired, List<Pod> pods) {
    if (desired.ignoredOverrides().isEmpty() && state.warnedOverrides.isEmpty()) {
      return;
    }
    Set<String> current = new HashSet<>();
    for (Pod pod : pods) {
      List<String> ignored = desired.ignoredOverrides().get(pod.getMetadata().getName());
      if (ignored == null) {
        continue;
      }
      String uid = String.valueOf(pod.getMetadata().getUid());
      current.add(uid);
      if (!ignored.equals(state.warnedOverrides.put(uid, ignored))) {
        events.warning(pod, Reasons.OVERRIDE_IGNORED, String.join("; ", ignored)
            + "; the Pod is registered with the ServiceRegistration's own value instead");
      }
    }
    state.warnedOverrides.keySet().retainAll(current);
  }

  private UpdateControl<ServiceRegistration> notReady(ServiceRegistration registration, String reason, String message) {
    warnOnTransition(registration, reason, message);
    return patchIfChanged(registration, StatusCalculator.notReady(registration.getStatus(), generationOf(registration),
        reason, message, clock.instant()));
  }

  /** A Warning Event when the Ready condition turns to {@code reason}, not on every retry. */
  private void warnOnTransition(ServiceRegistration registration, String reason, String message) {
    // The cached registration can lag behind the status patch just made: two reconciles in a
    // row would both see the old Ready. Remembering the reason warned last makes it one Event.
    RegistrationState state = states.of(registration);
    if (!readyIsFalseFor(registration, reason) && !reason.equals(state.warnedReason)) {
      state.warnedReason = reason;
      // Also called from updateErrorStatus, outside the reconcile's MDC: name the registration.
      LOG.warn("{}: {}: {}", nameOf(registration), reason, message);
      events.warning(registration, reason, message);
    }
  }

  private static UpdateControl<ServiceRegistration> patchIfChanged(ServiceRegistration registration,
      ServiceRegistrationStatus next) {
    if (next.equals(registration.getStatus())) {
      return UpdateControl.noUpdate();
    }
    registration.setStatus(next);
    return UpdateControl.patchStatus(registration);
  }

  @Override
  public ErrorStatusUpdateControl<ServiceRegistration> updateErrorStatus(ServiceRegistration registration,
      Context<ServiceRegistration> context, Exception error) {
    if (stopping) {
      return ErrorStatusUpdateControl.noStatusUpdate(); // cut short by the shutdown: says nothing
    }
    boolean early = context.getRetryInfo().map(r -> r.getAttemptCount() < 4).orElse(true);
    Optional<Report> report = errorReport(registration, rootOf(error), early);
    if (report.isEmpty()) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    if (report.get().warn()) {
      warnOnTransition(registration, report.get().reason(), report.get().message());
    }
    ServiceRegistrationStatus next = StatusCalculator.notReady(registration.getStatus(), generationOf(registration),
        report.get().reason(), report.get().message(), clock.instant());
    if (next.equals(registration.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    registration.setStatus(next);
    return ErrorStatusUpdateControl.patchStatus(registration);
  }

  /** What Ready says about a failed reconcile, and whether a Warning Event goes with it. */
  private record Report(String reason, String message, boolean warn) {}

  /**
   * The Ready condition for an error: the reason each {@link RegistryException} names, with the
   * outage's own message while the probe judges etcd away. Empty means say nothing yet.
   *
   * @param early whether the reconcile has failed only a few times in a row
   */
  private Optional<Report> errorReport(ServiceRegistration registration, Exception e, boolean early) {
    if (!(e instanceof RegistryException failure)) {
      LOG.error("{}: reconcile failed", nameOf(registration), e);
      return Optional.of(new Report(Reasons.SYNCING, "reconcile failed, retrying with backoff: " + e.getMessage(), false));
    }
    Optional<Availability.Outage> outage = health.outage();
    if (failure instanceof EtcdUnavailableException && outage.isPresent()) {
      return Optional.of(new Report(Reasons.ETCD_UNAVAILABLE, outageMessage(registration, outage.get()), true));
    }
    if (failure instanceof EtcdUnavailableException unavailable && unavailable.isConnectionProblem()
        && (health.failing() || early)) {
      // Whether etcd is away is the health probe's call; until it makes it, keep quiet rather
      // than write a status that the outage would replace moments later.
      return Optional.empty();
    }
    long lost = states.find(ResourceID.fromResource(registration)).map(s -> s.lostLease.get()).orElse(0L);
    if (failure instanceof EtcdUnavailableException && lost != 0) {
      return Optional.of(new Report(Reasons.LEASE_LOST, "lease " + RegistrationLeases.hex(lost)
          + " is gone from etcd and a new one cannot be granted yet, retrying with backoff: " + e.getMessage(), false));
    }
    String reason = failure.reason();
    String message = failure instanceof ConcurrentChangeException ? e.getMessage()
        : reason.equals(Reasons.ETCD_UNAVAILABLE) ? "etcd is unavailable, retrying with backoff: " + e.getMessage()
        : e.getMessage() + "; retrying with backoff";
    return Optional.of(new Report(reason, message, !(failure instanceof ConcurrentChangeException)));
  }

  private static Exception rootOf(Exception error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RegistryException failure) {
        return failure;
      }
    }
    return error;
  }

  /**
   * Revokes the lease (etcd deletes every key bound to it) and deletes any owned key left on
   * another lease. The finalizer goes only after etcd confirmed; until then the status says why.
   */
  @Override
  public DeleteControl cleanup(ServiceRegistration registration, Context<ServiceRegistration> context) {
    try (var mdc = MDC.putCloseable(MDC_KEY, nameOf(registration))) {
      return cleanupRegistration(registration, context.getClient());
    }
  }

  DeleteControl cleanupRegistration(ServiceRegistration registration, KubernetesClient client) {
    ResourceID id = ResourceID.fromResource(registration);
    try {
      withdraw(registration, states.of(registration));
    } catch (EtcdUnavailableException e) {
      ServiceRegistrationStatus next = StatusCalculator.notReady(registration.getStatus(),
          generationOf(registration), Reasons.ETCD_UNAVAILABLE, "cannot remove the registration's keys, the finalizer stays until "
              + "etcd confirms: " + e.getMessage(), clock.instant());
      if (!next.equals(registration.getStatus())) {
        warnOnTransition(registration, Reasons.ETCD_UNAVAILABLE, e.getMessage());
        client.resources(ServiceRegistration.class)
            .inNamespace(registration.getMetadata().getNamespace())
            .withName(registration.getMetadata().getName())
            .editStatus(current -> {
              current.setStatus(next);
              return current;
            });
      }
      throw e;
    }
    changes.forget(id);
    Set<ResourceID> selectedBefore = states.matchedPods(id);
    states.clear(id);
    if (gates.enabled()) {
      unselected(selectedBefore); // the registration being deleted selects nothing now
    }
    metrics.registrationGone(id);
    LOG.info("deleted; lease revoked and keys removed");
    return DeleteControl.defaultDelete();
  }
}
