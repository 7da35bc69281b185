package dev.registrar.operator.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registrar.client.ServiceClaims;
import dev.registrar.operator.model.Ownership;
import dev.registrar.operator.model.StoredKey;
import io.etcd.jetcd.KeyValue;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One cluster's keys in a registry that several clusters feed: every endpoint and member key whose
 * value names the cluster as owner, as "modRevision lease value". Two equal snapshots mean the
 * cluster's keys were neither changed nor deleted, nor moved to another lease, in between. A shared
 * name's claim is the set's, not one cluster's, and is left out.
 */
public final class ClusterKeys {

  private ClusterKeys() {}

  public static Map<String, String> of(EtcdView etcd, String cluster) {
    Map<String, String> keys = new TreeMap<>();
    for (String prefix : new String[] {"/services/", ServiceClaims.PREFIX}) {
      for (KeyValue kv : etcd.kvs(prefix)) {
        String key = kv.getKey().toString(UTF_8);
        if (ServiceClaims.isClaimKey(key)) {
          continue;
        }
        StoredKey stored = new StoredKey(kv.getValue().getBytes(), kv.getLease(), kv.getModRevision());
        Ownership.ownerOf(key, stored).filter(o -> cluster.equals(o.cluster())).ifPresent(o ->
            keys.put(key, kv.getModRevision() + " " + Long.toHexString(kv.getLease()) + " " + kv.getValue().toString(UTF_8)));
      }
    }
    return keys;
  }

  /** How many of {@code keys} the events wrote or deleted. */
  public static long touched(Set<String> keys, dev.registrar.testing.etcd.EtcdEvents events) {
    return events.puts().stream().filter(keys::contains).count()
        + events.deletes().stream().filter(keys::contains).count();
  }
}
