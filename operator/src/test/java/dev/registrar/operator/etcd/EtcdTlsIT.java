package dev.registrar.operator.etcd;

import dev.registrar.operator.testing.CoreScenario;
import dev.registrar.operator.testing.EtcdView;
import dev.registrar.testing.kubernetes.MockKubernetesApi;
import dev.registrar.operator.testing.RunningOperator;
import dev.registrar.testing.etcd.EtcdExtension;
import dev.registrar.testing.etcd.TlsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A production-like etcd: TLS only, client certificates required (--client-cert-auth). */
class EtcdTlsIT {

  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleMember().withClientTls();

  @Test
  void theCoreLoopWorksOverMutualTls() {
    TlsFiles tls = ETCD.etcd().tls();
    try (MockKubernetesApi api = MockKubernetesApi.start();
         RunningOperator operator = RunningOperator.start(api, ETCD.endpointList(),
             "--etcd-ca-file", tls.ca().toString(),
             "--etcd-cert-file", tls.clientCert().toString(),
             "--etcd-key-file", tls.clientKey().toString())) {
      CoreScenario.run(api.client(), new EtcdView(ETCD.client()), "shop", "tls-orders");
    }
  }
}
