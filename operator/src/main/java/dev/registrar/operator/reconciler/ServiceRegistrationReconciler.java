package dev.registrar.operator.reconciler;

import dev.registrar.operator.customresource.ServiceRegistration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * Reconciles ServiceRegistrations. The foundation registers it with JOSDK so that the operator
 * runs end to end; registering Pods in etcd comes with the core loop.
 */
@ControllerConfiguration(name = ServiceRegistrationReconciler.NAME)
public class ServiceRegistrationReconciler implements Reconciler<ServiceRegistration> {

  public static final String NAME = "serviceregistration";

  @Override
  public UpdateControl<ServiceRegistration> reconcile(ServiceRegistration resource,
      Context<ServiceRegistration> context) {
    return UpdateControl.noUpdate();
  }
}
