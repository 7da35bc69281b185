package dev.registrar.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers one endpoint of a process that runs outside Kubernetes (a VM, a batch host), with the
 * same key and value schema as the operator.
 *
 * <p>{@link #register} is idempotent: the first call grants a lease, puts the key under it and
 * keeps the lease alive, consuming every keepalive response; later calls do nothing. If etcd
 * drops the lease (it expired during an outage, or was revoked) the endpoint is registered again
 * under a new lease, with no retry limit. {@link #close} deregisters in the right order: mark as
 * leaving, delete the key and revoke the lease, stop the keepalive. Close the registrar before
 * your server stops serving, and the jetcd client after both.
 *
 * <pre>{@code
 * ServiceRegistrar registrar = new ServiceRegistrar(client, RegistryPrefix.DEFAULT, Duration.ofSeconds(30));
 * registrar.register("orders", new EndpointValue("1.2.0", 100, "10.0.0.7", 8080, "http",
 *     null, null, null, Map.of(), null));
 * Runtime.getRuntime().addShutdownHook(new Thread(registrar::close)); // optional
 * }</pre>
 */
public final class ServiceRegistrar implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistrar.class);

  public static final Duration MIN_TTL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Client client;
  private final RegistryPrefix prefix;
  private final Duration ttl;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(ServiceDiscovery.daemon("registrar-self-registration"));
  private final AtomicBoolean registered = new AtomicBoolean();

  private volatile RegistryKey key;
  private volatile byte[] value;
  private volatile long leaseId;
  private volatile CloseableClient keepAlive;
  private volatile boolean leaving;
  private Duration backoff = Duration.ofMillis(200);

  /** A registrar with the default 30 s lease TTL. */
  public ServiceRegistrar(Client client, RegistryPrefix prefix) {
    this(client, prefix, DEFAULT_TTL);
  }

  /** @param ttl the lease TTL, at least 15 s: how long the key outlives this process if it dies */
  public ServiceRegistrar(Client client, RegistryPrefix prefix, Duration ttl) {
    if (ttl.compareTo(MIN_TTL) < 0) {
      throw new IllegalArgumentException("lease TTL " + ttl.toSeconds() + " s is below the minimum of 15 s");
    }
    this.client = client;
    this.prefix = prefix;
    this.ttl = ttl;
  }

  /**
   * Registers {@code value.address():value.port()} as an endpoint of {@code serviceName}, once.
   * Blocks until the key is in etcd or etcd failed to answer; keeps retrying in the background
   * either way.
   *
   * @return true the first time, false for every later call
   */
  public boolean register(String serviceName, EndpointValue value) {
    if (!registered.compareAndSet(false, true)) {
      return false;
    }
    this.key = prefix.key(serviceName, value.address(), value.port());
    this.value = EndpointCodec.encode(value);
    try {
      executor.submit(this::registerNow).get(TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("registering {} did not finish yet, retrying in the background: {}", key, e.toString());
    }
    return true;
  }

  /** The key this registrar holds, or null before {@link #register}. */
  public RegistryKey key() {
    return key;
  }

  /** The current lease, 0 before the first successful registration. */
  public long leaseId() {
    return leaseId;
  }

  private void registerNow() {
    if (leaving) {
      return;
    }
    try {
      long lease = client.getLeaseClient().grant(ttl.toSeconds()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getID();
      client.getKVClient().put(bytes(key.asString()), ByteSequence.from(value),
          PutOption.builder().withLeaseId(lease).build()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      leaseId = lease;
      keepAlive = client.getLeaseClient().keepAlive(lease, observer(lease));
      backoff = Duration.ofMillis(200);
      LOG.info("registered {} under lease {}", key, Long.toHexString(lease));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        return;
      }
      LOG.warn("registering {} failed, retrying in {}: {}", key, backoff, e.toString());
      retryLater();
    }
  }

  private StreamObserver<LeaseKeepAliveResponse> observer(long lease) {
    return new StreamObserver<>() {
      @Override
      public void onNext(LeaseKeepAliveResponse response) {
        // Consumed: renewed.
      }

      @Override
      public void onError(Throwable error) {
        // Not final, unless etcd says the lease does not exist.
        if (Status.fromThrowable(error).getCode() == Status.Code.NOT_FOUND
            || String.valueOf(error.getMessage()).contains("requested lease not found")) {
          lost(lease);
        }
      }

      @Override
      public void onCompleted() {
        lost(lease);
      }
    };
  }

  /** On a jetcd thread: hand over to ours. */
  private void lost(long lease) {
    if (leaving || lease != leaseId) {
      return;
    }
    try {
      executor.execute(() -> {
        if (lease == leaseId && !leaving) {
          LOG.warn("lease {} of {} is gone from etcd; registering again", Long.toHexString(lease), key);
          closeKeepAlive();
          registerNow();
        }
      });
    } catch (RejectedExecutionException e) {
      // Closed.
    }
  }

  private void retryLater() {
    try {
      executor.schedule(this::registerNow, backoff.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return;
    }
    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  private void closeKeepAlive() {
    CloseableClient current = keepAlive;
    if (current != null) {
      current.close();
      keepAlive = null;
    }
  }

  /** Deregisters: the key is deleted and the lease revoked now, not at TTL expiry. */
  @Override
  public void close() {
    leaving = true;
    try {
      executor.submit(() -> {
        if (key != null && leaseId != 0) {
          try {
            client.getKVClient().delete(bytes(key.asString())).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            client.getLeaseClient().revoke(leaseId).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("deregistered {}", key);
          } catch (Exception e) {
            LOG.warn("deregistering {} failed; its lease ends within {} s: {}", key, ttl.toSeconds(), e.toString());
          }
        }
        closeKeepAlive();
      }).get(TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("closing the registrar of {}: {}", key, e.toString());
    } finally {
      executor.shutdownNow();
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }
}
