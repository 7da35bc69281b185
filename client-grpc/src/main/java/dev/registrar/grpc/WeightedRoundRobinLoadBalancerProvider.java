package dev.registrar.grpc;

import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.NameResolver;
import java.util.Map;

/** Registers {@code registrar_weighted_round_robin} with gRPC's LoadBalancerRegistry (META-INF/services). */
public final class WeightedRoundRobinLoadBalancerProvider extends LoadBalancerProvider {

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public int getPriority() {
    return 5;
  }

  @Override
  public String getPolicyName() {
    return RegistrarGrpc.POLICY_NAME;
  }

  @Override
  public NameResolver.ConfigOrError parseLoadBalancingPolicyConfig(Map<String, ?> rawConfig) {
    if (rawConfig != null && !rawConfig.isEmpty()) {
      return NameResolver.ConfigOrError.fromError(io.grpc.Status.INVALID_ARGUMENT.withDescription(
          RegistrarGrpc.POLICY_NAME + " takes no settings (weights come from the registry), got " + rawConfig.keySet()));
    }
    return NameResolver.ConfigOrError.fromConfig(Map.of());
  }

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
    return new WeightedRoundRobinLoadBalancer(helper);
  }
}
