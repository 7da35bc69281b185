package dev.registrar.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registrar.operator.model.NamePolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SandboxMainTest {

  @Test
  void argumentsAreParsedWithOrWithoutTheSandboxWord() {
    assertThat(SandboxMain.parse(List.of())).isEqualTo(new SandboxMain.Options(false, Optional.empty(), 0, NamePolicy.ANY, SandboxMain.Api.AUTO));
    assertThat(SandboxMain.parse(List.of("sandbox", "--demo")))
        .isEqualTo(new SandboxMain.Options(true, Optional.empty(), 0, NamePolicy.ANY, SandboxMain.Api.AUTO));
    assertThat(SandboxMain.parse(List.of("--etcd-endpoints", "http://127.0.0.1:2379", "--http-port", "9000")))
        .isEqualTo(new SandboxMain.Options(false, Optional.of("http://127.0.0.1:2379"), 9000, NamePolicy.ANY, SandboxMain.Api.AUTO));
    assertThat(SandboxMain.parse(List.of("--name-policy", "namespace-annotation")).namePolicy())
        .isEqualTo(NamePolicy.NAMESPACE_ANNOTATION);
    assertThat(SandboxMain.parse(List.of()).namePolicy()).isEqualTo(NamePolicy.ANY);
    assertThat(SandboxMain.parse(List.of("--api", "real")).api()).isEqualTo(SandboxMain.Api.REAL);
    assertThat(SandboxMain.parse(List.of("--api", "mock")).api()).isEqualTo(SandboxMain.Api.MOCK);
    assertThat(SandboxMain.parse(List.of()).clusters()).isEqualTo(1);
    assertThat(SandboxMain.parse(List.of("--clusters", "2")).clusters()).isEqualTo(2);
  }

  @Test
  void badArgumentsExitWithTwoAndSayWhatIsWrong() {
    assertThatThrownBy(() -> SandboxMain.parse(List.of("--dmo"))).hasMessage("unknown argument '--dmo' (see --help)");
    assertThatThrownBy(() -> SandboxMain.parse(List.of("--clusters", "4"))).hasMessage("--clusters: 4 is not between 1 and 3");
    assertThatThrownBy(() -> SandboxMain.parse(List.of("--clusters", "two"))).hasMessage("--clusters: 'two' is not a number");
    assertThatThrownBy(() -> SandboxMain.parse(List.of("--etcd-endpoints"))).hasMessage("--etcd-endpoints needs a value");
    assertThatThrownBy(() -> SandboxMain.parse(List.of("--http-port", "x"))).hasMessageContaining("not a port number");
    assertThatThrownBy(() -> SandboxMain.parse(List.of("--name-policy", "open")))
        .hasMessage("--name-policy: 'open' must be one of any, namespace-prefix, namespace-annotation");
    assertThatThrownBy(() -> SandboxMain.parse(List.of("--api", "kind")))
        .hasMessage("--api: 'kind' must be one of auto, real, mock");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SandboxMain.run(List.of("--bogus"), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(SandboxMain.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("registrar sandbox: unknown argument '--bogus' (see --help)\n");
  }

  @Test
  void helpDescribesEveryOption() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(SandboxMain.run(List.of("--help"), new PrintStream(out, true, StandardCharsets.UTF_8), System.err)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--demo", "--api", "--etcd-endpoints", "--http-port", "--name-policy", "Helm");
  }

  @Test
  void etcdIsInstalledOnlyAsRootOnDebianOtherwiseTheCommandIsExplained() {
    assertThat(EtcdSetup.decide(true, false, false)).isEqualTo(EtcdSetup.Action.USE);
    assertThat(EtcdSetup.decide(false, true, true)).isEqualTo(EtcdSetup.Action.INSTALL_WITH_APT);
    assertThat(EtcdSetup.decide(false, false, true)).isEqualTo(EtcdSetup.Action.EXPLAIN_AND_EXIT);
    assertThat(EtcdSetup.decide(false, true, false)).isEqualTo(EtcdSetup.Action.EXPLAIN_AND_EXIT);
  }
}
