package dev.registrar.operator.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** What etcd holds, read the way etcdctl would, for assertions. */
public final class EtcdView {

  private final Client client;

  public EtcdView(Client client) {
    this.client = client;
  }

  /** Key to value under {@code prefix} (which should end in '/'). */
  public Map<String, String> values(String prefix) {
    Map<String, String> values = new TreeMap<>();
    kvs(prefix).forEach(kv -> values.put(kv.getKey().toString(UTF_8), kv.getValue().toString(UTF_8)));
    return values;
  }

  /** The value of exactly {@code key}, if it exists. */
  public java.util.Optional<String> value(String key) {
    try {
      return client.getKVClient().get(ByteSequence.from(key, UTF_8)).get(5, TimeUnit.SECONDS).getKvs()
          .stream().findFirst().map(kv -> kv.getValue().toString(UTF_8));
    } catch (Exception e) {
      throw new AssertionError("could not read " + key + " from etcd", e);
    }
  }

  /**
   * Key to "modRevision value" under each prefix (a prefix can be an exact key): two equal
   * snapshots mean nothing was written there in between.
   */
  public Map<String, String> valuesAndRevisions(String... prefixes) {
    Map<String, String> all = new TreeMap<>();
    for (String prefix : prefixes) {
      kvs(prefix).forEach(kv -> all.put(kv.getKey().toString(UTF_8), kv.getModRevision() + " " + kv.getValue().toString(UTF_8)));
    }
    return all;
  }

  /** Key to lease ID under {@code prefix}. */
  public Map<String, Long> leases(String prefix) {
    Map<String, Long> leases = new TreeMap<>();
    kvs(prefix).forEach(kv -> leases.put(kv.getKey().toString(UTF_8), kv.getLease()));
    return leases;
  }

  public List<KeyValue> kvs(String prefix) {
    try {
      return client.getKVClient()
          .get(ByteSequence.from(prefix, UTF_8), GetOption.builder().isPrefix(true).build())
          .get(5, TimeUnit.SECONDS).getKvs();
    } catch (Exception e) {
      throw new AssertionError("could not read " + prefix + " from etcd", e);
    }
  }

  /** The store's current revision: it grows by one with every write. */
  public long revision() {
    try {
      return client.getKVClient().get(ByteSequence.from("/", UTF_8)).get(5, TimeUnit.SECONDS)
          .getHeader().getRevision();
    } catch (Exception e) {
      throw new AssertionError("could not read etcd's revision", e);
    }
  }

  /** etcdctl lease timetolive --keys: TTL -1 when the lease is gone. */
  public LeaseTimeToLiveResponse lease(long id) {
    try {
      return client.getLeaseClient().timeToLive(id, LeaseOption.builder().withAttachedKeys().build())
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("could not look up lease " + Long.toHexString(id), e);
    }
  }

  public List<String> leaseKeys(long id) {
    return lease(id).getKeys().stream().map(k -> k.toString(UTF_8)).sorted().toList();
  }
}
