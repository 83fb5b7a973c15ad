package dev.eventbackbone.helm;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The chart rendered by Helm ({@code helm template}) for one values file, every manifest parsed strictly. */
final class RenderedChart {

    static final Path CHART = Path.of("event-backbone");
    static final String RELEASE = "backbone";
    static final String NAMESPACE = "events";
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private final List<HasMetadata> objects;

    private RenderedChart(List<HasMetadata> objects) {
        this.objects = objects;
    }

    /** Renders with the chart's defaults and, when given, a values file over them. */
    static RenderedChart render(Path valuesFile) {
        return render(valuesFile, Map.of());
    }

    /** Renders with the chart's defaults, a values file (or none) and {@code --set} values over them. */
    static RenderedChart render(Path valuesFile, Map<String, String> sets) {
        var template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        for (var set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        String manifests = template.call();
        return new RenderedChart(Arrays.stream(DOCUMENT_SEPARATOR.split(manifests))
                .filter(document -> document.lines().anyMatch(line -> !line.isBlank() && !line.startsWith("#")))
                .map(StrictKubernetesModel::parse)
                .toList());
    }

    List<HasMetadata> objects() {
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> T named(Class<T> kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("No " + kind.getSimpleName() + " " + name
                + " among " + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
    }

    <T extends HasMetadata> Optional<T> find(Class<T> kind, String name) {
        return all(kind).stream().filter(object -> object.getMetadata().getName().equals(name)).findFirst();
    }

    List<GenericKubernetesResource> custom(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(resource -> resource.getKind().equals(kind)).toList();
    }

    /** The service YAMLs of the chart's ConfigMap, by file name. */
    Map<String, String> serviceConfigs() {
        return named(ConfigMap.class, RELEASE + "-event-backbone-config").getData();
    }

    /** Every workload's pod spec (Deployments, StatefulSets, the Job), by the workload's name. */
    Map<String, PodSpec> podSpecs() {
        Map<String, PodSpec> specs = all(Deployment.class).stream().collect(Collectors.toMap(
                d -> d.getMetadata().getName(), d -> d.getSpec().getTemplate().getSpec()));
        specs.putAll(all(StatefulSet.class).stream().collect(Collectors.toMap(
                s -> s.getMetadata().getName(), s -> s.getSpec().getTemplate().getSpec())));
        specs.putAll(all(Job.class).stream().collect(Collectors.toMap(
                j -> j.getMetadata().getName(), j -> j.getSpec().getTemplate().getSpec())));
        return specs;
    }

    static Container onlyContainer(PodSpec spec) {
        if (spec.getContainers().size() != 1) {
            throw new AssertionError("Expected one container, found " + spec.getContainers().size());
        }
        return spec.getContainers().get(0);
    }

}
