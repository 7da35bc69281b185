package dev.registrar.operator.etcd;

import dev.registrar.client.internal.ConnectionNudge;
import dev.registrar.client.internal.EtcdErrors;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.operator.model.Plan;
import dev.registrar.operator.model.StoredKey;
import dev.registrar.client.ServiceClaims;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The only class that talks to etcd's KV and lease APIs. Calls block the calling reconcile
 * thread up to a timeout (never a jetcd callback thread) and turn failures into
 * one of the {@link RegistryException}s.
 */
public final class EtcdRegistry {

  /** etcd refuses a transaction of more operations than this (its --max-txn-ops default). */
  public static final int MAX_TXN_OPS = 128;

  private final Client client;
  private final Duration timeout;
  private final OwnWrites ownWrites;
  private final ConnectionNudge nudge;
  private final EtcdCalls calls;
  private final RegistryView view;

  /** @param view told of every commit and revocation, so that it is current before the watch says so */
  public EtcdRegistry(Client client, Duration timeout, OwnWrites ownWrites, ConnectionNudge nudge,
      EtcdCalls calls, RegistryView view) {
    this.view = view;
    this.client = client;
    this.timeout = timeout;
    this.ownWrites = ownWrites;
    this.nudge = nudge;
    this.calls = calls;
  }

  /** Every key under {@code prefix}, which must end in '/'. */
  public Map<String, StoredKey> readPrefix(String prefix) {
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("prefix reads must end in '/': " + prefix);
    }
    GetResponse response = await(EtcdCalls.Operation.GET_PREFIX, "read " + prefix,
        client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build()));
    return toMap(response.getKvs());
  }

  /** The keys that exist among {@code keys}. */
  public Map<String, StoredKey> readKeys(Collection<String> keys) {
    Map<String, StoredKey> found = new LinkedHashMap<>();
    for (String key : keys) {
      GetResponse response = await(EtcdCalls.Operation.GET, "read " + key, client.getKVClient().get(bytes(key)));
      found.putAll(toMap(response.getKvs()));
    }
    return found;
  }

  /** The lease, if etcd still has it. */
  public Optional<LeaseInfo> lease(long leaseId, boolean withKeys) {
    LeaseOption option = withKeys ? LeaseOption.builder().withAttachedKeys().build() : LeaseOption.DEFAULT;
    LeaseTimeToLiveResponse response = await(EtcdCalls.Operation.LEASE_TIME_TO_LIVE, "look up lease " + Long.toHexString(leaseId),
        client.getLeaseClient().timeToLive(leaseId, option));
    if (response.getTTL() <= 0) {
      return Optional.empty(); // -1: expired or never existed
    }
    List<String> keys = response.getKeys().stream().map(k -> k.toString(UTF_8)).toList();
    return Optional.of(new LeaseInfo(leaseId, response.getGrantedTTL(), response.getTTL(), keys));
  }

  public long grantLease(long ttlSeconds) {
    return await(EtcdCalls.Operation.LEASE_GRANT, "grant a lease", client.getLeaseClient().grant(ttlSeconds)).getID();
  }

  /** Revokes the lease, which deletes every key bound to it. A lease already gone is fine. */
  public void revokeLease(long leaseId) {
    long revision = 0;
    ownWrites.started();
    try {
      revision = await(EtcdCalls.Operation.LEASE_REVOKE, "revoke lease " + Long.toHexString(leaseId),
          client.getLeaseClient().revoke(leaseId)).getHeader().getRevision();
      view.revoked(leaseId, revision);
    } catch (LeaseNotFoundException e) {
      // Already expired or revoked: its keys are gone, which is what revoking wanted.
    } finally {
      ownWrites.finished(revision);
    }
  }

  /**
   * Applies the plan in one transaction, or in transactions of at most {@link #MAX_TXN_OPS}
   * operations when it is larger. Each applies only if every key it touches is as the plan read
   * it. Operations on claims go first, so that a registration racing for the same name fails
   * before anything of it is written.
   *
   * @return the number of transactions committed
   */
  public int apply(Plan plan, long leaseId) {
    List<Plan.Put> puts = new ArrayList<>(plan.puts());
    List<Plan.Delete> deletes = new ArrayList<>(plan.deletes());
    puts.sort(Comparator.comparing((Plan.Put p) -> !ServiceClaims.isClaimKey(p.key())));
    deletes.sort(Comparator.comparing((Plan.Delete d) -> !ServiceClaims.isClaimKey(d.key())));
    Chunk chunk = new Chunk(leaseId);
    int transactions = 0;
    for (Plan.Put p : puts) {
      chunk.put(p);
      if (chunk.size() == MAX_TXN_OPS) {
        commit(chunk);
        chunk = new Chunk(leaseId);
        transactions++;
      }
    }
    for (Plan.Delete d : deletes) {
      chunk.delete(d);
      if (chunk.size() == MAX_TXN_OPS) {
        commit(chunk);
        chunk = new Chunk(leaseId);
        transactions++;
      }
    }
    if (chunk.size() > 0) {
      commit(chunk);
      transactions++;
    }
    return transactions;
  }

  /** The operations of one transaction, and what the view learns once it committed. */
  private static final class Chunk {
    final long leaseId;
    final PutOption put;
    final List<Cmp> cmps = new ArrayList<>();
    final List<Op> ops = new ArrayList<>();
    final Map<String, byte[]> puts = new LinkedHashMap<>();
    final Map<String, byte[]> unleasedPuts = new LinkedHashMap<>();
    final Set<String> deletes = new LinkedHashSet<>();

    Chunk(long leaseId) {
      this.leaseId = leaseId;
      this.put = PutOption.builder().withLeaseId(leaseId).build();
    }

    void put(Plan.Put p) {
      cmps.add(expect(p.key(), p.expectedModRevision()));
      ops.add(Op.put(bytes(p.key()), ByteSequence.from(p.value()), p.leased() ? put : PutOption.DEFAULT));
      (p.leased() ? puts : unleasedPuts).put(p.key(), p.value());
    }

    void delete(Plan.Delete d) {
      cmps.add(expect(d.key(), d.expectedModRevision()));
      ops.add(Op.delete(bytes(d.key()), DeleteOption.DEFAULT));
      deletes.add(d.key());
    }

    int size() {
      return ops.size();
    }
  }

  private static Cmp expect(String key, long modRevision) {
    // A key that must not exist has version 0; any other must be at the revision the plan read.
    return modRevision == 0
        ? new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.version(0))
        : new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision));
  }

  private void commit(Chunk chunk) {
    TxnResponse response = null;
    ownWrites.started();
    try {
      response = await(EtcdCalls.Operation.TXN, "write " + chunk.size() + " keys", client.getKVClient().txn()
          .If(chunk.cmps.toArray(Cmp[]::new)).Then(chunk.ops.toArray(Op[]::new)).commit());
      if (response.isSucceeded()) {
        view.committed(chunk.puts, chunk.deletes, chunk.leaseId, response.getHeader().getRevision());
        view.committed(chunk.unleasedPuts, Set.of(), 0, response.getHeader().getRevision());
      }
    } catch (LeaseNotFoundException e) {
      throw new LeaseNotFoundException(chunk.leaseId, e.getCause());
    } finally {
      ownWrites.finished(response != null && response.isSucceeded() ? response.getHeader().getRevision() : 0);
    }
    if (!response.isSucceeded()) {
      throw new ConcurrentChangeException("keys changed in etcd since they were read; reading again");
    }
  }

  private <T> T await(EtcdCalls.Operation operation, String what, CompletableFuture<T> future) {
    long start = System.nanoTime();
    try {
      T result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      calls.completed(operation, System.nanoTime() - start);
      nudge.callSucceeded();
      return result;
    } catch (TimeoutException e) {
      future.cancel(true);
      nudge.callFailed();
      throw new EtcdUnavailableException("etcd did not answer within " + timeout.toSeconds()
          + "s (" + what + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EtcdUnavailableException("interrupted (" + what + ")", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (EtcdErrors.isNotFound(cause)) {
        throw new LeaseNotFoundException(0, cause);
      }
      nudge.callFailed();
      String message = "etcd failed to " + what + ": " + describe(cause);
      if (EtcdErrors.isPermissionDenied(cause)) {
        throw new PermissionDeniedException(message, cause);
      }
      throw new EtcdUnavailableException(message, cause);
    }
  }

  /** What went wrong, in words for whoever is on call; never the credentials themselves. */
  static String describe(Throwable cause) {
    String message = cause.getMessage();
    if (message == null || message.isBlank()) {
      return cause.getClass().getSimpleName();
    }
    StringBuilder chain = new StringBuilder();
    for (Throwable t = cause; t != null; t = t.getCause()) {
      chain.append(t.getMessage()).append('\n');
    }
    if (chain.indexOf("authentication failed") >= 0 || chain.indexOf("UNAUTHENTICATED") >= 0
        || chain.indexOf("invalid auth token") >= 0) {
      return "etcd rejected the operator's credentials (authentication failed): check "
          + "REGISTRAR_ETCD_USERNAME and the file REGISTRAR_ETCD_PASSWORD_FILE names";
    }
    if (message.contains("permission denied")) {
      return "etcd denied permission (" + message.replaceFirst("^[A-Z_]+: ", "") + "): the operator's "
          + "etcd role must grant readwrite on the registry prefix and on /registrar/claims/";
    }
    return message;
  }

  private static Map<String, StoredKey> toMap(List<KeyValue> kvs) {
    Map<String, StoredKey> map = new LinkedHashMap<>();
    for (KeyValue kv : kvs) {
      map.put(kv.getKey().toString(UTF_8),
          new StoredKey(kv.getValue().getBytes(), kv.getLease(), kv.getModRevision()));
    }
    return map;
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }
}
