package dev.registrar.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(List<String> args, Map<String, String> env) {
    return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpPrintsEverySettingAndExitsZero() {
    assertThat(run(List.of("--help"), Map.of())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--etcd-endpoints", "REGISTRAR_ETCD_ENDPOINTS", "--http-port", "default: 8080");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void aMissingEndpointStopsWithOneLineAndExitCode2() {
    assertThat(run(List.of(), Map.of())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
        "registrar: invalid configuration: --etcd-endpoints (REGISTRAR_ETCD_ENDPOINTS): is required"
            + System.lineSeparator());
  }

  @Test
  void anInvalidSettingStopsBeforeAnythingConnects() {
    assertThat(run(List.of("--etcd-endpoints", "http://127.0.0.1:2379", "--http-port", "-1"), Map.of()))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--http-port (REGISTRAR_HTTP_PORT)").hasLineCount(1);
  }
}
