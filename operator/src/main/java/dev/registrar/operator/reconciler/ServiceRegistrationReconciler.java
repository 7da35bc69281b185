package dev.registrar.operator.reconciler;

import dev.registrar.client.EndpointCodec;
import dev.registrar.client.EndpointValue;
import dev.registrar.client.ServiceClaims;
import dev.registrar.operator.customresource.ServiceRegistration;
import dev.registrar.operator.customresource.ServiceRegistrationStatus;
import dev.registrar.operator.etcd.ConcurrentChangeException;
import dev.registrar.operator.etcd.EtcdHealth;
import dev.registrar.operator.etcd.EtcdRegistry;
import dev.registrar.operator.etcd.EtcdUnavailableException;
import dev.registrar.operator.etcd.LeaseKeeper;
import dev.registrar.operator.etcd.LeaseNotFoundException;
import dev.registrar.operator.etcd.RegistryChange;
import dev.registrar.operator.etcd.RegistryCounters;
import dev.registrar.operator.metrics.RegistrarMetrics;
import dev.registrar.operator.model.Conditions;
import dev.registrar.operator.model.DesiredState;
import dev.registrar.operator.model.DesiredStateCalculator;
import dev.registrar.operator.model.LabelSelectors;
import dev.registrar.operator.model.NamePolicy;
import dev.registrar.operator.model.Ownership;
import dev.registrar.operator.model.Plan;
import dev.registrar.operator.model.Planner;
import dev.registrar.operator.model.Reasons;
import dev.registrar.operator.model.RegistryContext;
import dev.registrar.operator.model.StatusCalculator;
import dev.registrar.operator.model.StoredKey;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps etcd true to a registration's ready Pods: observe (the Pods, the keys etcd holds),
 * plan (a pure diff), apply (transactions under the registration's lease), then report (status,
 * events). Transient etcd errors throw, so JOSDK retries with backoff.
 */
@ControllerConfiguration(name = ServiceRegistrationReconciler.NAME)
public class ServiceRegistrationReconciler
    implements Reconciler<ServiceRegistration>, Cleaner<ServiceRegistration> {

  public static final String NAME = "serviceregistration";

  private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistrationReconciler.class);
  private static final int MAX_ENDPOINTS_IN_EVENT = 5;
  /** The MDC key of the registration a log line is about: namespace/name. */
  public static final String MDC_KEY = "registration";
  /** How often a registration in Conflict looks again whether the name was released. */
  static final Duration CONFLICT_RECHECK = Duration.ofSeconds(3);

  private final RegistryContext registry;
  private final EtcdRegistry etcd;
  private final RegistrationLeases leases;
  private final EventRecorder events;
  private final Clock clock;
  private final RegistryCounters counters;
  private final RegistrarMetrics metrics;
  private final ReadinessLatency readinessLatency;
  private final PodMembership membership = new PodMembership();
  // Registrations whose lease etcd dropped, until a new one holds their keys again.
  private final Map<ResourceID, Long> lostLeases = new ConcurrentHashMap<>();
  private final Set<ResourceID> lostAnnounced = ConcurrentHashMap.newKeySet();
  // Reconciles asked for from outside JOSDK: a lost lease, a change in etcd made by someone else.
  private final SimpleInboundEventSource<ServiceRegistration> triggers =
      new SimpleInboundEventSource<>("registry-triggers");
  // Service name to the registration that cannot register some keys there because another owner
  // holds them: a change of those keys must reach it, though their values name someone else.
  private final Map<String, ResourceID> blockedByHeldKeys = new ConcurrentHashMap<>();
  // Registrations with a key on their lease changed by somebody else, perhaps outside their path.
  private final Set<ResourceID> leaseKeysChanged = ConcurrentHashMap.newKeySet();
  // The Ready=False reason each registration was last warned about, until it is Ready again.
  private final Map<ResourceID, String> warnedReasons = new ConcurrentHashMap<>();
  private final EtcdHealth health;
  private final NamePermissions names;
  private volatile boolean stopping;
  private volatile InformerEventSource<Pod, ServiceRegistration> pods;

  /** Pods per page of the informer's list (client-go's reflector pages by 500 too). */
  static final long POD_LIST_PAGE = 500;
  private volatile IndexerResourceCache<ServiceRegistration> registrations;

  public ServiceRegistrationReconciler(RegistryContext registry, EtcdRegistry etcd,
      LeaseKeeper keeper, EtcdHealth health, NamePolicy namePolicy, EventRecorder events, Clock clock,
      RegistryCounters counters, RegistrarMetrics metrics) {
    this.health = health;
    this.names = new NamePermissions(namePolicy);
    this.metrics = metrics;
    this.readinessLatency = new ReadinessLatency(metrics, clock.instant());
    this.registry = registry;
    this.etcd = etcd;
    this.leases = new RegistrationLeases(etcd, keeper, this::leaseLost);
    this.events = events;
    this.clock = clock;
    this.counters = counters;
  }

  /** The keepalive of a registration's lease ended: etcd no longer has it. Reconcile at once. */
  void leaseLost(ResourceID registration, long leaseId) {
    lostLeases.put(registration, leaseId);
    triggers.propagateEvent(registration);
  }

  /**
   * Somebody else changed a key in etcd (deleted, altered, or it expired): let the registrations
   * it concerns repair it. Those are this cluster's owners its value named, before or after, and
   * the holders of the leases it was bound to. A registration kept from a key by its holder
   * looks again too.
   */
  public void foreignChange(RegistryChange change) {
    Set<ResourceID> targets = new HashSet<>();
    for (EndpointValue.Owner owner : change.owners()) {
      if (owner.cluster() != null && owner.cluster().equals(registry.clusterName())
          && owner.name() != null && owner.namespace() != null) {
        targets.add(new ResourceID(owner.name(), owner.namespace()));
      }
    }
    for (long lease : change.leases()) {
      leases.holderOf(lease).ifPresent(id -> {
        targets.add(id);
        leaseKeysChanged.add(id);
      });
    }
    if (!targets.isEmpty()) {
      counters.driftRepairs.incrementAndGet();
    }
    registry.prefix().parse(change.key())
        .map(key -> blockedByHeldKeys.get(key.serviceName()))
        .ifPresent(targets::add);
    targets.forEach(triggers::propagateEvent);
  }

  /** etcd went away or came back: every registration's Ready says so now, not at its next event. */
  public void etcdHealthChanged(Optional<EtcdHealth.Outage> outage) {
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
    this.registrations = registrations;
    var configuration = InformerEventSourceConfiguration.from(Pod.class, ServiceRegistration.class)
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper((Pod pod) -> registrationsFor(pod, registrations))
        // Pods pruned to the fields the operator reads: most of a Pod's bytes are never looked at.
        .withItemStore(new PrunedPodStore())
        // The first list in pages: 10,000 Pods at once would be the heap's peak, a full copy
        // of every Pod before pruning (see docs/benchmarks.md, footprint).
        .withInformerListLimit(POD_LIST_PAGE)
        .build();
    pods = new InformerEventSource<>(configuration, context);
    List<EventSource<?, ServiceRegistration>> sources = new ArrayList<>(List.of(pods, triggers));
    sources.addAll(names.eventSources(context, registrations));
    return sources;
  }

  /** The registrations a Pod event concerns: those that match it now, and those it matched. */
  private Set<ResourceID> registrationsFor(Pod pod, IndexerResourceCache<ServiceRegistration> registrations) {
    String namespace = pod.getMetadata().getNamespace();
    Set<ResourceID> ids = registrations.list(namespace)
        .filter(r -> r.getSpec() != null
            && LabelSelectors.matches(r.getSpec().getSelector(), pod.getMetadata().getLabels()))
        .map(ResourceID::fromResource)
        .collect(Collectors.toCollection(HashSet::new));
    ids.addAll(membership.registrationsOf(ResourceID.fromResource(pod)));
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

  private UpdateControl<ServiceRegistration> reconcileRegistration(ServiceRegistration registration,
      KubernetesClient client) {
    long generation = generationOf(registration);
    Optional<String> invalid = SpecValidation.problem(registration);
    if (invalid.isPresent()) {
      return notReady(registration, generation, Reasons.INVALID_SPEC, invalid.get());
    }
    Optional<String> refused = names.problem(registration, client);
    if (refused.isPresent()) {
      return refuse(registration, generation, refused.get());
    }

    // Observe: the Pods from the informer cache, the desired keys from them.
    String namespace = registration.getMetadata().getNamespace();
    List<Pod> candidates = pods.list(namespace, pod -> true).toList();
    DesiredState desired;
    try {
      desired = DesiredStateCalculator.compute(registration, candidates, registry);
    } catch (EndpointCodec.ValueTooLargeException e) {
      return notReady(registration, generation, Reasons.INVALID_SPEC,
          "spec.metadata: " + e.getMessage());
    }
    membership.update(ResourceID.fromResource(registration), desired.matchedPodNames().stream()
        .map(pod -> new ResourceID(pod, namespace)).collect(Collectors.toSet()));

    // With etcd away, nothing can be observed or changed: say so, and wait for it to return.
    Optional<EtcdHealth.Outage> outage = health.outage();
    if (outage.isPresent()) {
      return notReady(registration, generation, Reasons.ETCD_UNAVAILABLE, outageMessage(registration, outage.get()));
    }

    // The service name must be this registration's: another owner's claim means write nothing.
    // A claim on the registration's own lease is its own, whatever the value says.
    EndpointValue.Owner owner = DesiredStateCalculator.ownerOf(registration, registry);
    String serviceName = registration.effectiveServiceName();
    String claimKey = ServiceClaims.key(serviceName);
    Map<String, StoredKey> claim = etcd.readKeys(List.of(claimKey));
    Optional<EndpointValue.Owner> claimant = claim.isEmpty() ? Optional.empty()
        : Ownership.ownerOf(claimKey, claim.get(claimKey));
    boolean claimOnOwnLease = !claim.isEmpty() && claim.get(claimKey).lease() != 0
        && leases.current(registration).filter(l -> l == claim.get(claimKey).lease()).isPresent();
    if (!claim.isEmpty() && !claimOnOwnLease && !claimant.filter(owner::equals).isPresent()) {
      if (!readyIsFalseFor(registration, Reasons.CONFLICT)) {
        metrics.conflict();
      }
      return notReady(registration, generation, Reasons.CONFLICT,
          conflictMessage(serviceName, claimKey, claimant)).rescheduleAfter(CONFLICT_RECHECK);
    }

    ResourceID id = ResourceID.fromResource(registration);
    Long lost = lostLeases.get(id);
    RegistrationLeases.Choice lease = leases.choose(registration);
    if (lost != null && lease.id() == lost) {
      // jetcd ended the keepalive (no answer in time), but etcd still has the lease: not lost.
      LOG.info("the keepalive of lease {} ended but etcd still has the lease; renewing it again", RegistrationLeases.hex(lost));
      lostLeases.remove(id, lost);
      lost = null;
    }
    if (lost != null && lostAnnounced.add(id)) {
      LOG.warn("lease {} is gone from etcd; granting a new one", RegistrationLeases.hex(lost));
      events.warning(registration, Reasons.LEASE_LOST, "Lease " + RegistrationLeases.hex(lost)
          + " is gone from etcd (it expired or was revoked); registering every endpoint again under a new lease");
    }
    if (lost != null) {
      counters.leaseRegrants.incrementAndGet();
    }
    String servicePath = registry.prefix().servicePath(serviceName);
    Map<String, StoredKey> stored = new TreeMap<>(etcd.readPrefix(servicePath));
    stored.putAll(claim);
    boolean leaseKeysTouched = leaseKeysChanged.remove(id);
    if (leaseKeysTouched || lease.fresh() || specChanged(registration, generation)) {
      stored.putAll(keysBoundElsewhere(lease, servicePath, claimKey));
    }
    Set<Long> ownLeases = new HashSet<>();
    ownLeases.add(lease.id());
    lease.replaced().ifPresent(ownLeases::add);
    Ownership ownership = Ownership.of(stored, owner, ownLeases);

    // Plan: a pure diff; keys another owner holds are never touched. The claim is desired too.
    Map<String, byte[]> wanted = new TreeMap<>(desired.encoded());
    wanted.keySet().removeAll(ownership.foreign().keySet());
    int registered = wanted.size();
    wanted.put(claimKey, EndpointCodec.encodeOwner(owner));
    Plan plan = Planner.calculate(wanted, ownership.owned(), lease.id());

    // Apply: the claim first (create-if-absent: a racing registration makes this fail), then the rest.
    try {
      etcd.apply(plan.only(key -> key.equals(claimKey)), lease.id());
      etcd.apply(plan.only(key -> !key.equals(claimKey)), lease.id());
    } catch (LeaseNotFoundException e) {
      // Expired or revoked under us: the keepalive may not have said so yet. Same as a lost lease.
      leases.release(registration.getMetadata().getUid(), lease.id());
      lostLeases.putIfAbsent(id, lease.id());
      throw e;
    }
    lease.replaced().ifPresent(old -> {
      etcd.revokeLease(old);
      leases.release(registration.getMetadata().getUid(), old);
    });
    recordChanges(registration, plan, desired);
    readinessLatency.record(plan, desired, stored, candidates, clock.instant());
    metrics.registeredEndpoints(id, registered);
    if (lost != null && lostLeases.remove(id, lost)) {
      lostAnnounced.remove(id);
      events.normal(registration, Reasons.LEASE_RENEWED, "Lease " + RegistrationLeases.hex(lost)
          + " was gone from etcd; " + count(registered) + " registered again under lease "
          + RegistrationLeases.hex(lease.id()));
    }

    Map<String, String> heldElsewhere = new TreeMap<>();
    Set<String> othersUnderPath = new HashSet<>();
    ownership.foreign().forEach((key, value) -> {
      if (desired.endpoints().containsKey(key)) {
        heldElsewhere.put(key, Ownership.holderOf(key, value));
      } else if (!ServiceClaims.isClaimKey(key)) {
        othersUnderPath.add(key);
      }
    });
    if (heldElsewhere.isEmpty()) {
      blockedByHeldKeys.remove(serviceName, id);
    } else {
      blockedByHeldKeys.put(serviceName, id);
    }
    ServiceRegistrationStatus next = StatusCalculator.synced(registration.getStatus(), generation,
        RegistrationLeases.hex(lease.id()), desired, registered, heldElsewhere, othersUnderPath, clock.instant());
    Conditions.find(next.getConditions(), Conditions.READY)
        .filter(c -> Reasons.KEYS_HELD_ELSEWHERE.equals(c.getReason()))
        .ifPresent(c -> warnOnTransition(registration, c.getReason(), c.getMessage()));
    if (Conditions.isTrue(next.getConditions(), Conditions.READY)) {
      warnedReasons.remove(id);
    }
    return patchIfChanged(registration, next);
  }

  /**
   * The name policy does not let this registration publish its name: it writes nothing, and
   * gives up whatever it holds (its leases, its keys, the claim), because a changed policy or
   * Namespace annotation can take back a name that was allowed before.
   */
  private UpdateControl<ServiceRegistration> refuse(ServiceRegistration registration, long generation,
      String message) {
    warnOnTransition(registration, Reasons.NAME_NOT_ALLOWED, message);
    ResourceID id = ResourceID.fromResource(registration);
    ServiceRegistrationStatus status = registration.getStatus();
    boolean mayHoldKeys = !leases.all(registration).isEmpty()
        || (status != null && status.getRegisteredEndpoints() != null && status.getRegisteredEndpoints() > 0);
    if (mayHoldKeys && health.outage().isPresent()) {
      // Stop renewing now: the keys go with the lease TTL even if etcd stays away. status.leaseId
      // stays, so the revocation happens as soon as etcd answers (its return reconciles us).
      leases.all(registration).forEach(lease -> leases.release(registration.getMetadata().getUid(), lease));
      return notReady(registration, generation, Reasons.NAME_NOT_ALLOWED, message);
    }
    if (mayHoldKeys) {
      int left = withdraw(registration);
      LOG.info("name not allowed: leases revoked (their keys and the claim went with them), {} on no lease of "
          + "its own deleted", left == 1 ? "1 key" : left + " keys");
    }
    forgetKeys(id);
    metrics.registeredEndpoints(id, 0);
    return patchIfChanged(registration, StatusCalculator.withdrawn(registration.getStatus(), generation,
        Reasons.NAME_NOT_ALLOWED, message, clock.instant()));
  }

  /** What this process tracks about the keys a registration holds: it holds none now. */
  private void forgetKeys(ResourceID id) {
    membership.remove(id);
    blockedByHeldKeys.values().remove(id);
    leaseKeysChanged.remove(id);
    lostLeases.remove(id);
    lostAnnounced.remove(id);
  }

  /**
   * Revokes the registration's leases (etcd deletes every key bound to them), then deletes what
   * its value still owns on another lease or none. Keys of anybody else are never touched. With a
   * service name that is no valid name, there is no path to look under: the leases are all.
   *
   * @return how many keys were still there after the revocation, and deleted
   */
  private int withdraw(ServiceRegistration registration) {
    String uid = registration.getMetadata().getUid();
    for (long lease : leases.all(registration)) {
      etcd.revokeLease(lease);
      leases.release(uid, lease);
    }
    if (SpecValidation.problem(registration).isPresent()) {
      return 0;
    }
    String serviceName = registration.effectiveServiceName();
    Map<String, StoredKey> stored = new TreeMap<>(etcd.readPrefix(registry.prefix().servicePath(serviceName)));
    stored.putAll(etcd.readKeys(List.of(ServiceClaims.key(serviceName))));
    // Its leases are revoked: what is left is owned by value only.
    Ownership ownership = Ownership.of(stored, DesiredStateCalculator.ownerOf(registration, registry), Set.of());
    Plan plan = Planner.calculate(Map.of(), ownership.owned(), 0);
    etcd.apply(plan, 0);
    return plan.deletes().size();
  }

  /**
   * What Ready says while etcd is away. It stays the same for the whole outage, so that an outage
   * costs one status patch going down and one coming back.
   */
  private static String outageMessage(ServiceRegistration registration, EtcdHealth.Outage outage) {
    ServiceRegistrationStatus status = registration.getStatus();
    String lease = status == null || status.getLeaseId() == null ? null : status.getLeaseId();
    String keys = lease == null ? "nothing was registered yet"
        : "the keys already registered stay in etcd until lease " + lease + " runs out ("
            + registration.getSpec().effectiveLeaseTTLSeconds() + " s after its last renewal)";
    return "etcd unreachable since " + outage.since().truncatedTo(ChronoUnit.SECONDS) + " (" + outage.cause()
        + "); " + keys + "; no change is registered until etcd answers again";
  }

  private static boolean specChanged(ServiceRegistration registration, long generation) {
    ServiceRegistrationStatus status = registration.getStatus();
    return status == null || !Objects.equals(status.getObservedGeneration(), generation);
  }

  /**
   * Keys bound to the registration's leases outside its service path: endpoints and the claim
   * left behind by a serviceName change (or a crash in the middle of one). Read so the plan
   * deletes them.
   */
  private Map<String, StoredKey> keysBoundElsewhere(RegistrationLeases.Choice lease, String servicePath,
      String claimKey) {
    Set<String> keys = new HashSet<>();
    for (long id : lease.replaced().map(old -> List.of(lease.id(), old)).orElse(List.of(lease.id()))) {
      etcd.lease(id, true).ifPresent(info -> info.keys().stream()
          .filter(key -> !key.startsWith(servicePath) && !key.equals(claimKey))
          .filter(key -> registry.prefix().parse(key).isPresent() || ServiceClaims.isClaimKey(key))
          .forEach(keys::add));
    }
    return keys.isEmpty() ? Map.of() : etcd.readKeys(keys);
  }

  private void recordChanges(ServiceRegistration registration, Plan plan, DesiredState desired) {
    List<String> added = plan.puts().stream()
        .filter(p -> p.expectedModRevision() == 0 && !ServiceClaims.isClaimKey(p.key()))
        .map(p -> describe(desired, p.key())).toList();
    List<String> removed = plan.deletes().stream().map(Plan.Delete::key)
        .filter(key -> !ServiceClaims.isClaimKey(key)).map(this::endpointOf).toList();
    // The registration is in the MDC of every line logged here.
    if (!added.isEmpty()) {
      LOG.info("registered {}", String.join(", ", added));
      events.normal(registration, Reasons.REGISTERED, "Registered " + count(added.size()) + ": " + summary(added));
    }
    if (!removed.isEmpty()) {
      LOG.info("deregistered {}", String.join(", ", removed));
      events.normal(registration, Reasons.DEREGISTERED, "Deregistered " + count(removed.size()) + ": " + summary(removed));
    }
  }

  private static String conflictMessage(String serviceName, String claimKey, Optional<EndpointValue.Owner> holder) {
    String who = holder.map(o -> "registration " + o.namespace() + "/" + o.name() + " of cluster '"
        + o.cluster() + "'").orElse("a value Registrar cannot read");
    return "service name '" + serviceName + "' is claimed by " + who + " (" + claimKey
        + "); this registration writes nothing until the claim is released";
  }

  private String describe(DesiredState desired, String key) {
    var endpoint = desired.endpoints().get(key);
    return endpoint.key().endpoint() + " (pod " + endpoint.value().pod() + ")";
  }

  private String endpointOf(String key) {
    return registry.prefix().parse(key).map(k -> k.serviceName() + "/" + k.endpoint()).orElse(key);
  }

  private static String count(int n) {
    return n + (n == 1 ? " endpoint" : " endpoints");
  }

  private static String summary(List<String> items) {
    String shown = String.join(", ", items.subList(0, Math.min(MAX_ENDPOINTS_IN_EVENT, items.size())));
    return items.size() > MAX_ENDPOINTS_IN_EVENT
        ? shown + " and " + (items.size() - MAX_ENDPOINTS_IN_EVENT) + " more" : shown;
  }

  private UpdateControl<ServiceRegistration> notReady(ServiceRegistration registration, long generation,
      String reason, String message) {
    warnOnTransition(registration, reason, message);
    return patchIfChanged(registration, StatusCalculator.notReady(registration.getStatus(), generation,
        reason, message, clock.instant()));
  }

  /** A Warning Event when the Ready condition turns to {@code reason}, not on every retry. */
  private void warnOnTransition(ServiceRegistration registration, String reason, String message) {
    // The cached registration can lag behind the status patch just made: two reconciles in a
    // row would both see the old Ready. Remembering the reason warned last makes it one Event.
    if (!readyIsFalseFor(registration, reason)
        && !reason.equals(warnedReasons.put(ResourceID.fromResource(registration), reason))) {
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
    long generation = generationOf(registration);
    // JOSDK's metrics wrap what the reconcile threw; the cause is what matters.
    Exception e = rootOf(error);
    String reason;
    String message;
    if (stopping) {
      return ErrorStatusUpdateControl.noStatusUpdate(); // cut short by the shutdown: says nothing
    }
    if (e instanceof ConcurrentChangeException) {
      reason = Reasons.SYNCING;
      message = e.getMessage();
    } else if (e instanceof EtcdUnavailableException && health.outage().isPresent()) {
      reason = Reasons.ETCD_UNAVAILABLE;
      message = outageMessage(registration, health.outage().get());
    } else if (e instanceof EtcdUnavailableException unavailable && unavailable.isConnectionProblem()
        && (health.failing() || context.getRetryInfo().map(r -> r.getAttemptCount() < 4).orElse(true))) {
      // Whether etcd is away is the health probe's call; until it makes it, keep quiet rather
      // than write a status that the outage would replace moments later.
      return ErrorStatusUpdateControl.noStatusUpdate();
    } else if (e instanceof EtcdUnavailableException && lostLeases.containsKey(ResourceID.fromResource(registration))) {
      reason = Reasons.LEASE_LOST;
      message = "lease " + RegistrationLeases.hex(lostLeases.getOrDefault(ResourceID.fromResource(registration), 0L))
          + " is gone from etcd and a new one cannot be granted yet, retrying with backoff: " + e.getMessage();
    } else if (e instanceof EtcdUnavailableException) {
      reason = Reasons.ETCD_UNAVAILABLE;
      message = "etcd is unavailable, retrying with backoff: " + e.getMessage();
    } else {
      reason = Reasons.SYNCING;
      message = "reconcile failed, retrying with backoff: " + e.getMessage();
      LOG.error("{}: reconcile failed", nameOf(registration), e);
    }
    if (reason.equals(Reasons.ETCD_UNAVAILABLE)) {
      warnOnTransition(registration, reason, message);
    }
    ServiceRegistrationStatus next = StatusCalculator.notReady(registration.getStatus(), generation,
        reason, message, clock.instant());
    if (next.equals(registration.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    registration.setStatus(next);
    return ErrorStatusUpdateControl.patchStatus(registration);
  }

  private static Exception rootOf(Exception error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof EtcdUnavailableException || t instanceof ConcurrentChangeException) {
        return (Exception) t;
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
      return cleanupRegistration(registration, context);
    }
  }

  private DeleteControl cleanupRegistration(ServiceRegistration registration, Context<ServiceRegistration> context) {
    String uid = registration.getMetadata().getUid();
    ResourceID id = ResourceID.fromResource(registration);
    try {
      withdraw(registration);
    } catch (EtcdUnavailableException e) {
      ServiceRegistrationStatus next = StatusCalculator.notReady(registration.getStatus(),
          generationOf(registration), Reasons.ETCD_UNAVAILABLE, "cannot remove the registration's keys, the finalizer stays until "
              + "etcd confirms: " + e.getMessage(), clock.instant());
      if (!next.equals(registration.getStatus())) {
        warnOnTransition(registration, Reasons.ETCD_UNAVAILABLE, e.getMessage());
        context.getClient().resources(ServiceRegistration.class)
            .inNamespace(registration.getMetadata().getNamespace())
            .withName(registration.getMetadata().getName())
            .editStatus(current -> {
              current.setStatus(next);
              return current;
            });
      }
      throw e;
    }
    forgetKeys(id);
    warnedReasons.remove(id);
    metrics.registrationGone(id);
    leases.forget(uid);
    LOG.info("deleted; lease revoked and keys removed");
    return DeleteControl.defaultDelete();
  }
}
