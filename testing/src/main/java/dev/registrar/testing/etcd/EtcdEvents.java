package dev.registrar.testing.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Records every PUT and DELETE under some prefixes, as a separate etcd watcher would see them,
 * from the store's revision at construction: a write made before etcd registers the watch is not
 * missed.
 */
public final class EtcdEvents implements AutoCloseable {

  private final List<Watch.Watcher> watchers = new ArrayList<>();
  private final List<String> puts = new CopyOnWriteArrayList<>();
  private final List<String> deletes = new CopyOnWriteArrayList<>();

  public EtcdEvents(Client client, String... prefixes) {
    long revision;
    try {
      revision = client.getKVClient().get(ByteSequence.from("/", UTF_8),
          GetOption.builder().withCountOnly(true).build()).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    } catch (Exception e) {
      throw new AssertionError("could not read etcd's revision", e);
    }
    for (String prefix : prefixes) {
      watchers.add(client.getWatchClient().watch(ByteSequence.from(prefix, UTF_8),
          WatchOption.builder().isPrefix(true).withRevision(revision + 1).build(),
          response -> response.getEvents().forEach(e -> {
            String key = e.getKeyValue().getKey().toString(UTF_8);
            if (e.getEventType() == WatchEvent.EventType.PUT) {
              puts.add(key);
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
              deletes.add(key);
            }
          })));
    }
  }

  /** The service's endpoint keys and its claim. */
  public static EtcdEvents ofService(Client client, String serviceName) {
    return new EtcdEvents(client, "/services/" + serviceName + "/", "/registrar/claims/" + serviceName);
  }

  public List<String> puts() {
    return List.copyOf(puts);
  }

  public List<String> deletes() {
    return List.copyOf(deletes);
  }

  @Override
  public void close() {
    watchers.forEach(Watch.Watcher::close);
  }
}
