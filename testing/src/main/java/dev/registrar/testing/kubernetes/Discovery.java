package dev.registrar.testing.kubernetes;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents kubectl reads before any request (legacy, non-aggregated form), so
 * that it can find Pods, Events, Namespaces, CRDs and the ServiceRegistration resource on the
 * CRUD mock, which serves none of them.
 */
final class Discovery {

  private static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private Discovery() {}

  static void serve(KubernetesMockServer server, CustomResourceDefinition crd) {
    String group = crd.getSpec().getGroup();
    String version = crd.getSpec().getVersions().get(0).getName();
    CustomResourceDefinitionNames names = crd.getSpec().getNames();

    Map<String, Object> documents = new LinkedHashMap<>();
    documents.put("/version", new VersionInfo.Builder().withMajor("1").withMinor("32")
        .withGitVersion("v1.32.0-registrar-sandbox").withPlatform("linux/amd64").build());
    documents.put("/api", new APIVersionsBuilder().withVersions("v1").build());
    documents.put("/apis", new APIGroupListBuilder().withGroups(
        group("apiextensions.k8s.io", "v1"), group(group, version)).build());
    documents.put("/api/v1", resources("v1",
        resource("pods", "Pod", true, "po"),
        resource("events", "Event", true, "ev"),
        resource("namespaces", "Namespace", false, "ns")));
    documents.put("/apis/apiextensions.k8s.io/v1", resources("apiextensions.k8s.io/v1",
        resource("customresourcedefinitions", "CustomResourceDefinition", false, "crd", "crds")));
    APIResource custom = new APIResourceBuilder(resource(names.getPlural(), names.getKind(),
        "Namespaced".equals(crd.getSpec().getScope()), names.getShortNames().toArray(String[]::new)))
        .withSingularName(names.getSingular()).withCategories(names.getCategories()).build();
    documents.put("/apis/" + group + "/" + version, resources(group + "/" + version, custom));

    documents.forEach((path, body) -> {
      server.expect().get().withPath(path).andReturn(200, body).always();
      // kubectl appends this to every discovery request, and paths must match exactly.
      server.expect().get().withPath(path + "?timeout=32s").andReturn(200, body).always();
    });
  }

  private static io.fabric8.kubernetes.api.model.APIGroup group(String name, String version) {
    var groupVersion = new GroupVersionForDiscoveryBuilder().withGroupVersion(name + "/" + version)
        .withVersion(version).build();
    return new APIGroupBuilder().withName(name).withVersions(groupVersion).withPreferredVersion(groupVersion).build();
  }

  private static io.fabric8.kubernetes.api.model.APIResourceList resources(String groupVersion, APIResource... resources) {
    return new APIResourceListBuilder().withGroupVersion(groupVersion).withResources(resources).build();
  }

  private static APIResource resource(String plural, String kind, boolean namespaced, String... shortNames) {
    return new APIResourceBuilder().withName(plural).withKind(kind).withNamespaced(namespaced)
        .withSingularName(kind.toLowerCase(java.util.Locale.ROOT)).withVerbs(ALL_VERBS)
        .withShortNames(shortNames).build();
  }
}
