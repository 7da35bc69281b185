package dev.registrar.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Where Events go: the Kubernetes API in production ({@link EventRecorder}), a list in unit tests. */
public interface EventSink {

  void normal(HasMetadata resource, String reason, String message);

  void warning(HasMetadata resource, String reason, String message);
}
