package dev.registrar.operator.reconciler;

import dev.registrar.operator.model.GateCondition;
import io.fabric8.kubernetes.api.model.Pod;

/** Where the readiness gate's condition goes: Pod status in production, a list in unit tests. */
public interface GateWriter {

  /** The gate is not served (REGISTRAR_POD_READINESS_GATE=false): nothing is written. */
  GateWriter NONE = new GateWriter() {
    @Override
    public void write(Pod pod, GateCondition next) {}

    @Override
    public void forget(Pod pod) {}
  };

  /**
   * Sets the Pod's condition, unless it says so already.
   *
   * @param pod the Pod as the informer cache holds it
   */
  void write(Pod pod, GateCondition next);

  /** The Pod is gone: nothing more to write for it. */
  void forget(Pod pod);
}
