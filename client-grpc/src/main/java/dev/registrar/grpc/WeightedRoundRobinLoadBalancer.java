package dev.registrar.grpc;

import static io.grpc.ConnectivityState.CONNECTING;
import static io.grpc.ConnectivityState.IDLE;
import static io.grpc.ConnectivityState.READY;
import static io.grpc.ConnectivityState.TRANSIENT_FAILURE;

import io.grpc.ConnectivityState;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import io.grpc.Status;
import io.grpc.util.ForwardingLoadBalancerHelper;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code registrar_weighted_round_robin}: one pick_first child per instance (so connecting, idle
 * and failure handling are gRPC's own, as in round_robin), and a smooth weighted round robin over
 * the READY children by their registry weight.
 *
 * <p>Weight 0 drains: the instance gets no new calls, but its child and connection stay, so calls
 * already running finish. An instance that leaves the registry is shut down gracefully: its
 * running calls finish too, and new ones go elsewhere at once.
 */
final class WeightedRoundRobinLoadBalancer extends LoadBalancer {

  private static final SubchannelPicker QUEUE = new FixedPicker(PickResult.withNoResult());

  private final Helper helper;
  private final LoadBalancerProvider pickFirst;
  private final Map<List<SocketAddress>, Child> children = new LinkedHashMap<>();
  private RegistrarTarget target;
  private ConnectivityState state;
  private boolean updating;
  private boolean shutdown;

  WeightedRoundRobinLoadBalancer(Helper helper) {
    this.helper = helper;
    this.pickFirst = LoadBalancerRegistry.getDefaultRegistry().getProvider("pick_first");
  }

  @Override
  public Status acceptResolvedAddresses(ResolvedAddresses resolved) {
    target = resolved.getAttributes().get(RegistrarGrpc.TARGET);
    List<EquivalentAddressGroup> groups = resolved.getAddresses();
    updating = true;
    try {
      Set<List<SocketAddress>> wanted = new HashSet<>();
      for (EquivalentAddressGroup group : groups) {
        List<SocketAddress> key = group.getAddresses();
        wanted.add(key);
        Child child = children.get(key);
        if (child == null) {
          child = new Child(key);
          children.put(key, child);
          // The child sees only the address: a weight change never touches its connection.
          child.lb.acceptResolvedAddresses(ResolvedAddresses.newBuilder()
              .setAddresses(List.of(new EquivalentAddressGroup(key))).setAttributes(resolved.getAttributes()).build());
        }
        child.weight = Addresses.weightOf(group);
      }
      children.entrySet().removeIf(entry -> {
        if (wanted.contains(entry.getKey())) {
          return false;
        }
        entry.getValue().lb.shutdown(); // graceful: calls in flight finish
        return true;
      });
    } finally {
      updating = false;
    }
    updateState();
    return Status.OK;
  }

  @Override
  public boolean canHandleEmptyAddressListFromNameResolution() {
    return true; // an empty service gets an error that names it, below
  }

  @Override
  public void handleNameResolutionError(Status error) {
    // Before the first result only: the resolver keeps the last good list on errors.
    if (children.isEmpty()) {
      update(TRANSIENT_FAILURE, new FixedPicker(PickResult.withError(error)));
    }
  }

  @Override
  public void requestConnection() {
    children.values().forEach(child -> child.lb.requestConnection());
  }

  @Override
  public void shutdown() {
    shutdown = true;
    children.values().forEach(child -> child.lb.shutdown());
    children.clear();
  }

  private void updateState() {
    if (updating || shutdown) {
      return;
    }
    String what = target == null ? "this target" : target.toString();
    if (children.isEmpty()) {
      update(TRANSIENT_FAILURE, error("no instance of " + what + " is registered"));
      return;
    }
    List<SubchannelPicker> ready = new ArrayList<>();
    List<Integer> weights = new ArrayList<>();
    boolean connecting = false;
    Child failed = null;
    for (Child child : children.values()) {
      if (child.weight <= 0) {
        continue;
      }
      if (child.state == READY) {
        ready.add(child.picker);
        weights.add(child.weight);
      } else if (child.state == CONNECTING || child.state == IDLE) {
        connecting = true;
      } else if (child.state == TRANSIENT_FAILURE && failed == null) {
        failed = child;
      }
    }
    if (!ready.isEmpty()) {
      update(READY, new SmoothWeightedPicker(ready, weights.stream().mapToInt(Integer::intValue).toArray()));
    } else if (connecting && state != TRANSIENT_FAILURE) {
      update(CONNECTING, QUEUE);
    } else if (failed != null) {
      // Sticky, as in round_robin: stay in TRANSIENT_FAILURE until a child is READY.
      update(TRANSIENT_FAILURE, failed.picker);
    } else if (!connecting) {
      update(TRANSIENT_FAILURE, error("every instance of " + what + " has weight 0 (draining)"));
    }
  }

  private static SubchannelPicker error(String description) {
    return new FixedPicker(PickResult.withError(Status.UNAVAILABLE.withDescription(description)));
  }

  private void update(ConnectivityState newState, SubchannelPicker picker) {
    state = newState;
    helper.updateBalancingState(newState, picker);
  }

  /** One instance: its pick_first child and the last state and picker that child reported. */
  private final class Child {
    final LoadBalancer lb;
    int weight;
    ConnectivityState state = CONNECTING;
    SubchannelPicker picker = QUEUE;

    Child(List<SocketAddress> key) {
      this.lb = pickFirst.newLoadBalancer(new ForwardingLoadBalancerHelper() {
        @Override
        protected Helper delegate() {
          return helper;
        }

        @Override
        public void updateBalancingState(ConnectivityState newState, SubchannelPicker newPicker) {
          if (shutdown || children.get(key) != Child.this) {
            return;
          }
          state = newState;
          picker = newPicker;
          if (newState == IDLE) {
            // A dropped connection: connect again now, not at the next pick (it gets none).
            helper.getSynchronizationContext().execute(() -> {
              if (children.get(key) == Child.this) {
                lb.requestConnection();
              }
            });
          }
          updateState();
        }
      });
    }
  }

  /** Always the same result. */
  static final class FixedPicker extends SubchannelPicker {
    private final PickResult result;

    FixedPicker(PickResult result) {
      this.result = result;
    }

    @Override
    public PickResult pickSubchannel(PickSubchannelArgs args) {
      return result;
    }

    @Override
    public String toString() {
      return "FixedPicker(" + result + ")";
    }
  }
}
