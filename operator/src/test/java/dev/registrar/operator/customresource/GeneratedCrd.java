package dev.registrar.operator.customresource;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CRD the build generated, as an API server would see it: the OpenAPI schema checked by a
 * JSON-schema validator, and the x-kubernetes-validations rules compiled and run by CEL-Java.
 * Only standard CEL is supplied, so a rule that needs a Kubernetes-only function fails here.
 */
final class GeneratedCrd {

  static final String RESOURCE = "META-INF/fabric8/serviceregistrations.registrar.dev-v1.yml";

  private static final CelCompiler CEL_COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .build();
  private static final CelRuntime CEL_RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  final CustomResourceDefinition crd;
  final JSONSchemaProps schema;
  private final Schema validator;

  private GeneratedCrd(CustomResourceDefinition crd) {
    this.crd = crd;
    this.schema = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    this.validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
        .getSchema(Serialization.asJson(schema), InputFormat.JSON);
  }

  static GeneratedCrd load() {
    try (InputStream in = GeneratedCrd.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath: the build's "
            + "process-classes phase generates it (./mvnw -pl operator -am process-classes)");
      }
      return new GeneratedCrd(Serialization.unmarshal(in, CustomResourceDefinition.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every violation an API server would report for {@code object}: schema, then CEL. */
  List<String> violations(Map<String, Object> object) {
    List<String> problems = new ArrayList<>();
    for (Error error : validator.validate(Serialization.asJson(object), InputFormat.JSON)) {
      // "$.spec.ports[0].port", plus the missing property's name for "required".
      String where = kubernetesPath(error.getInstanceLocation().toString());
      if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
        where = where + "." + error.getProperty();
      }
      problems.add("schema " + where + ": " + error.getMessage());
    }
    celViolations(schema, object, "", problems);
    return problems;
  }

  /** A JSON pointer ({@code /spec/ports/0/port}) as Kubernetes writes it ({@code .spec.ports[0].port}). */
  private static String kubernetesPath(String pointer) {
    StringBuilder path = new StringBuilder();
    for (String segment : pointer.split("/")) {
      if (segment.isEmpty() || segment.equals("$")) {
        continue;
      }
      path.append(segment.matches("[0-9]+") ? "[" + segment + "]" : "." + segment);
    }
    return path.toString();
  }

  /** Every x-kubernetes-validations rule in the schema, with its path. */
  Map<String, List<ValidationRule>> celRules() {
    Map<String, List<ValidationRule>> rules = new LinkedHashMap<>();
    collectRules(schema, "", rules);
    return rules;
  }

  private static void collectRules(JSONSchemaProps node, String path,
      Map<String, List<ValidationRule>> rules) {
    if (node == null) {
      return;
    }
    if (node.getXKubernetesValidations() != null && !node.getXKubernetesValidations().isEmpty()) {
      rules.put(path.isEmpty() ? "." : path, node.getXKubernetesValidations());
    }
    if (node.getProperties() != null) {
      node.getProperties().forEach((name, child) -> collectRules(child, path + "." + name, rules));
    }
    if (node.getItems() != null) {
      collectRules(node.getItems().getSchema(), path + "[*]", rules);
    }
  }

  @SuppressWarnings("unchecked")
  private static void celViolations(JSONSchemaProps node, Object value, String path,
      List<String> problems) {
    if (node == null || value == null) {
      return;
    }
    if (node.getXKubernetesValidations() != null) {
      for (ValidationRule rule : node.getXKubernetesValidations()) {
        if (!evaluate(rule.getRule(), value)) {
          problems.add("cel " + (path.isEmpty() ? "." : path) + ": " + rule.getMessage());
        }
      }
    }
    if (value instanceof Map<?, ?> map && node.getProperties() != null) {
      node.getProperties().forEach((name, child) ->
          celViolations(child, map.get(name), path + "." + name, problems));
    }
    if (value instanceof List<?> list && node.getItems() != null) {
      for (int i = 0; i < list.size(); i++) {
        celViolations(node.getItems().getSchema(), list.get(i), path + "[" + i + "]", problems);
      }
    }
  }

  static boolean evaluate(String rule, Object self) {
    try {
      var ast = CEL_COMPILER.compile(rule).getAst();
      Object result = CEL_RUNTIME.createProgram(ast).eval(Map.of("self", toCel(self)));
      return Boolean.TRUE.equals(result);
    } catch (Exception e) {
      throw new AssertionError("CEL rule '" + rule + "' does not compile or run: " + e, e);
    }
  }

  /** CEL's int is a Java long; JSON numbers arrive as Integer. */
  private static Object toCel(Object value) {
    if (value instanceof Integer i) {
      return i.longValue();
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, toCel(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(GeneratedCrd::toCel).toList();
    }
    return value;
  }
}
