package dev.registrar.sandbox;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What etcd holds under some prefixes at one moment: key → value and lease. */
record RegistrySnapshot(Map<String, Entry> entries) {

  record Entry(String value, long lease) {}

  static RegistrySnapshot read(Client etcd, String... prefixes) {
    Map<String, Entry> entries = new TreeMap<>();
    for (String prefix : prefixes) {
      for (KeyValue kv : get(etcd, prefix).getKvs()) {
        entries.put(kv.getKey().toString(StandardCharsets.UTF_8),
            new Entry(kv.getValue().toString(StandardCharsets.UTF_8), kv.getLease()));
      }
    }
    return new RegistrySnapshot(entries);
  }

  Map<String, Entry> under(String prefix) {
    Map<String, Entry> found = new TreeMap<>();
    entries.forEach((key, entry) -> {
      if (key.startsWith(prefix)) {
        found.put(key, entry);
      }
    });
    return found;
  }

  static LeaseTimeToLiveResponse lease(Client etcd, long id) {
    return await(etcd.getLeaseClient().timeToLive(id, LeaseOption.newBuilder().withAttachedKeys().build()));
  }

  private static io.etcd.jetcd.kv.GetResponse get(Client etcd, String prefix) {
    return await(etcd.getKVClient().get(ByteSequence.from(prefix, StandardCharsets.UTF_8),
        GetOption.builder().isPrefix(true).build()));
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("etcd did not answer: " + e.getMessage(), e);
    }
  }
}
