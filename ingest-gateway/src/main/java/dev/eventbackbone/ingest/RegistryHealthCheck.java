package dev.eventbackbone.ingest;

import com.codahale.metrics.health.HealthCheck;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;

/** Healthy when the schema registry answers. */
final class RegistryHealthCheck extends HealthCheck {

    private final SchemaRegistryClient registry;

    RegistryHealthCheck(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    protected Result check() {
        try {
            return Result.healthy("compatibility %s", registry.compatibility());
        } catch (RuntimeException e) {
            return Result.unhealthy("Schema registry is unreachable: %s", e.getMessage());
        }
    }
}
