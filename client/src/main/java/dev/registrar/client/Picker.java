package dev.registrar.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** Choosing among instances: weighted random choice, and filtering by version. */
public final class Picker {

  private Picker() {}

  /**
   * One instance, chosen with probability proportional to its weight; weight 0 is never chosen.
   * Empty when no instance has a positive weight.
   */
  public static Optional<ServiceInstance> weighted(List<ServiceInstance> instances, RandomGenerator random) {
    return new ServiceView(instances).pick(random);
  }

  /** The instances whose version is {@code version}. */
  public static List<ServiceInstance> withVersion(List<ServiceInstance> instances, String version) {
    return instances.stream().filter(i -> Objects.equals(version, i.version())).toList();
  }
}
