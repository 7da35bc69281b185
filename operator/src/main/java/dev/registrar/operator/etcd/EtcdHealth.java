package dev.registrar.operator.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Whether etcd answers a cheap read now; the answer is reused for a second, probes come often. */
public final class EtcdHealth {

  private static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Client client;
  private final String prefix;
  private final ConnectionNudge nudge;
  private volatile Optional<String> last = Optional.of("etcd not checked yet");
  private volatile long checkedAt;

  public EtcdHealth(Client client, String prefix, ConnectionNudge nudge) {
    this.client = client;
    this.prefix = prefix;
    this.nudge = nudge;
  }

  /** Empty when etcd answered; otherwise why not. */
  public synchronized Optional<String> problem() {
    long now = System.nanoTime();
    if (checkedAt != 0 && now - checkedAt < CACHE_NANOS) {
      return last;
    }
    try {
      client.getKVClient().get(ByteSequence.from(prefix, UTF_8),
          GetOption.builder().isPrefix(true).withCountOnly(true).build()).get(1, TimeUnit.SECONDS);
      nudge.callSucceeded();
      last = Optional.empty();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      nudge.callFailed();
      last = Optional.of("etcd unreachable: " + EtcdRegistry.describe(e.getCause() == null ? e : e.getCause()));
    }
    checkedAt = System.nanoTime();
    return last;
  }
}
