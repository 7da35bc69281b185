package dev.registrar.client.internal;

import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After an etcd outage, gRPC waits out its reconnect backoff (1 s growing by 1.6x up to 2
 * minutes) before it tries again, so a long outage would delay recovery by as much. jetcd does not
 * expose its channel; this reaches it once, by reflection, to call
 * {@link ManagedChannel#resetConnectBackoff()} once a second while calls to etcd fail. If jetcd's insides
 * change, it does nothing and says so once.
 */
public final class ConnectionNudge {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionNudge.class);

  private final Optional<ManagedChannel> channel;
  private volatile boolean failing;

  /** @param scheduler while calls fail, reconnects are tried once a second on it */
  public ConnectionNudge(Client client, ScheduledExecutorService scheduler) {
    this.channel = channelOf(client);
    if (channel.isPresent()) {
      scheduler.scheduleWithFixedDelay(() -> {
        if (failing) {
          reconnectNow();
        }
      }, 1, 1, TimeUnit.SECONDS);
    }
  }

  /** A call to etcd failed: try to reconnect now, and every second until one succeeds. */
  public void callFailed() {
    failing = true;
    reconnectNow();
  }

  /** A call to etcd succeeded: the connection is back. */
  public void callSucceeded() {
    failing = false;
  }

  /** Whether jetcd's channel was found: false means reconnects follow gRPC's own backoff. */
  public boolean reachesChannel() {
    return channel.isPresent();
  }

  private void reconnectNow() {
    channel.ifPresent(ManagedChannel::resetConnectBackoff);
  }

  private ConnectionNudge() {
    this.channel = Optional.empty();
  }

  /** One that does nothing: for tests without a jetcd client. */
  public static ConnectionNudge none() {
    return new ConnectionNudge();
  }

  private static Optional<ManagedChannel> channelOf(Client client) {
    try {
      Field field = client.getClass().getDeclaredField("connectionManager");
      field.setAccessible(true);
      Object manager = field.get(client);
      Method getChannel = manager.getClass().getDeclaredMethod("getChannel");
      getChannel.setAccessible(true);
      return Optional.of((ManagedChannel) getChannel.invoke(manager));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("cannot reach jetcd's gRPC channel ({}); after an etcd outage reconnects follow gRPC's backoff",
          e.toString());
      return Optional.empty();
    }
  }
}
