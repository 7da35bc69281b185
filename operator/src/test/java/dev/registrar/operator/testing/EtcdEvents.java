package dev.registrar.operator.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every PUT and DELETE under some prefixes, as a separate etcd watcher would see them. */
public final class EtcdEvents implements AutoCloseable {

  private final List<Watch.Watcher> watchers = new ArrayList<>();
  private final List<String> puts = new CopyOnWriteArrayList<>();
  private final List<String> deletes = new CopyOnWriteArrayList<>();

  public EtcdEvents(Client client, String... prefixes) {
    for (String prefix : prefixes) {
      watchers.add(client.getWatchClient().watch(ByteSequence.from(prefix, UTF_8),
          WatchOption.builder().isPrefix(true).build(), response -> response.getEvents().forEach(e -> {
            String key = e.getKeyValue().getKey().toString(UTF_8);
            if (e.getEventType() == WatchEvent.EventType.PUT) {
              puts.add(key);
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
              deletes.add(key);
            }
          })));
    }
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
