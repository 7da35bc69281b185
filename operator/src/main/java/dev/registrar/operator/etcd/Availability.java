package dev.registrar.operator.etcd;

import java.time.Instant;
import java.util.Optional;

/** Whether etcd answers, as the health probe judges it; {@link EtcdHealth} in production. */
public interface Availability {

  /** etcd has been away since {@code since}, for {@code cause}. */
  record Outage(Instant since, String cause) {}

  /** The outage under way, once the probe has judged one. */
  Optional<Outage> outage();

  /** Whether the probe is failing now, before it has judged an outage. */
  boolean failing();
}
