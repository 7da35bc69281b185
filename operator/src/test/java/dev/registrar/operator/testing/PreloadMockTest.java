package dev.registrar.operator.testing;

import dev.registrar.testing.kubernetes.MockKubernetesApi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Preloaded objects are served as created ones to what reads them: got, listed, paged, selected. */
class PreloadMockTest {

  static Pod pod(int n) {
    return new PodBuilder().withNewMetadata().withNamespace("bench").withName("p-" + n)
        .withLabels(Map.of("app", n % 2 == 0 ? "even" : "odd")).endMetadata()
        .withNewStatus().withPodIP("10.0.0." + n).endStatus().build();
  }

  @Test
  void preloadedPodsAreServedAsCreatedOnes() {
    try (MockKubernetesApi api = MockKubernetesApi.start()) {
      api.preload(IntStream.range(0, 5).mapToObj(PreloadMockTest::pod).toList());

      var client = api.client();
      assertThat(client.pods().inAnyNamespace().list().getItems()).hasSize(5);
      assertThat(client.pods().inNamespace("bench").withLabel("app", "even").list().getItems())
          .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("p-0", "p-2", "p-4");
      PodList page = client.pods().inAnyNamespace().list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
          .withLimit(2L).build());
      assertThat(page.getItems()).hasSize(2);
      assertThat(page.getMetadata().getContinue()).isNotBlank();
      // A client's start check gets a version, not every stored object.
      assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo("v1.31.0");
      Pod one = client.pods().inNamespace("bench").withName("p-3").get();
      assertThat(one.getMetadata().getUid()).isNotBlank();
      assertThat(one.getMetadata().getResourceVersion()).isNotBlank();

    }
  }
}
