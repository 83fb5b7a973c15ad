package dev.eventbackbone.registry;

import com.codahale.metrics.health.HealthCheck;

/** Healthy when Kafka answers and the store has read the schemas topic to its end. */
final class SchemaStoreHealthCheck extends HealthCheck {

    private final SchemaStore store;

    SchemaStoreHealthCheck(SchemaStore store) {
        this.store = store;
    }

    @Override
    protected Result check() {
        return store.problem().map(Result::unhealthy).orElseGet(Result::healthy);
    }
}
