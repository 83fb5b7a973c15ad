package dev.eventbackbone.helm;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a manifest into fabric8's Kubernetes model, failing on any field the model does not know.
 * fabric8 keeps unknown fields in each object's {@code additionalProperties} instead of refusing
 * them, so a misspelt field (a {@code replica:} beside {@code replicas:}) would pass unnoticed and be
 * dropped by the API server; here it fails with its path.
 */
final class StrictKubernetesModel {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    private StrictKubernetesModel() {
    }

    /**
     * The manifest as its typed model object; kinds the model does not hold (custom resources) come
     * back as {@link GenericKubernetesResource}, which the caller checks itself.
     */
    static HasMetadata parse(String manifest) {
        KubernetesResource resource = SERIALIZATION.unmarshal(manifest);
        if (!(resource instanceof HasMetadata object)) {
            throw new IllegalArgumentException("Not a Kubernetes object: " + manifest);
        }
        if (!(object instanceof GenericKubernetesResource)) {
            List<String> unknown = new ArrayList<>();
            collectUnknownFields(object, object.getKind(), unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(object.getKind() + " " + object.getMetadata().getName()
                        + " has fields the Kubernetes API does not know: " + String.join(", ", unknown));
            }
        }
        return object;
    }

    private static void collectUnknownFields(Object value, String path, List<String> unknown, Set<Object> seen) {
        if (value == null || !seen.add(value)) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int index = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + index++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> entries) {
            entries.forEach((key, item) -> collectUnknownFields(item, path + "[" + key + "]", unknown, seen));
            return;
        }
        if (!value.getClass().getPackageName().startsWith(MODEL_PACKAGE)) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class || !getter.getName().startsWith("get")) {
                continue;
            }
            Object field = invoke(getter, value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(name -> unknown.add(path + "." + name));
                }
            } else {
                String name = getter.getName().substring(3);
                collectUnknownFields(field, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1),
                        unknown, seen);
            }
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot read " + getter + " of " + target, e);
        }
    }
}
