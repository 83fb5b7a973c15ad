package dev.eventbackbone.processors.orders;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Settings of the order topology ({@code orders:} in the stream processors' YAML). */
public class OrderSettings {

    private boolean enabled = true;

    @NotBlank
    private String applicationId = OrderTopology.COMPONENT;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration paymentTimeout = Duration.minutes(15);

    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration timeoutCheckInterval = Duration.seconds(1);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    private Duration commandDedupeWindow = Duration.days(7);

    @Min(1)
    private int maxLines = 100;

    @Min(1)
    private int maxQuantity = 10_000;

    @Valid
    @NotNull
    private Map<String, TenantLimits> tenants = new LinkedHashMap<>();

    /** Whether this instance runs order processing (orders and inventory); false leaves it to other instances. */
    @JsonProperty
    public boolean isEnabled() {
        return enabled;
    }

    @JsonProperty
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** The order topology's own Streams application, apart from the audit normalizer's. */
    @JsonProperty
    public String getApplicationId() {
        return applicationId;
    }

    @JsonProperty
    public void setApplicationId(String applicationId) {
        this.applicationId = applicationId;
    }

    /** How long an order waits for CONFIRM_PAYMENT or DECLINE_PAYMENT before it is cancelled (payment_timeout). */
    @JsonProperty
    public Duration getPaymentTimeout() {
        return paymentTimeout;
    }

    @JsonProperty
    public void setPaymentTimeout(Duration paymentTimeout) {
        this.paymentTimeout = paymentTimeout;
    }

    /** How often the wall clock is checked for expired payments. */
    @JsonProperty
    public Duration getTimeoutCheckInterval() {
        return timeoutCheckInterval;
    }

    @JsonProperty
    public void setTimeoutCheckInterval(Duration timeoutCheckInterval) {
        this.timeoutCheckInterval = timeoutCheckInterval;
    }

    /** How long a commandId is remembered, so a command sent again is answered once. */
    @JsonProperty
    public Duration getCommandDedupeWindow() {
        return commandDedupeWindow;
    }

    @JsonProperty
    public void setCommandDedupeWindow(Duration commandDedupeWindow) {
        this.commandDedupeWindow = commandDedupeWindow;
    }

    @JsonProperty
    public int getMaxLines() {
        return maxLines;
    }

    @JsonProperty
    public void setMaxLines(int maxLines) {
        this.maxLines = maxLines;
    }

    @JsonProperty
    public int getMaxQuantity() {
        return maxQuantity;
    }

    @JsonProperty
    public void setMaxQuantity(int maxQuantity) {
        this.maxQuantity = maxQuantity;
    }

    /** Per-tenant spending limits; a tenant not named has none. */
    @JsonProperty
    public Map<String, TenantLimits> getTenants() {
        return tenants;
    }

    @JsonProperty
    public void setTenants(Map<String, TenantLimits> tenants) {
        this.tenants = tenants;
    }

    TenantLimits limitsOf(String tenant) {
        return tenants.getOrDefault(tenant, TenantLimits.NONE);
    }

    /** What one customer of a tenant may spend within a window, per currency, in minor units. */
    public static class TenantLimits {

        static final TenantLimits NONE = new TenantLimits();

        @NotNull
        private Map<String, Long> spendingLimits = new LinkedHashMap<>();

        @NotNull
        @MinDuration(value = 1, unit = TimeUnit.MINUTES)
        private Duration spendingWindow = Duration.hours(24);

        @JsonProperty
        public Map<String, Long> getSpendingLimits() {
            return spendingLimits;
        }

        @JsonProperty
        public void setSpendingLimits(Map<String, Long> spendingLimits) {
            this.spendingLimits = spendingLimits;
        }

        @JsonProperty
        public Duration getSpendingWindow() {
            return spendingWindow;
        }

        @JsonProperty
        public void setSpendingWindow(Duration spendingWindow) {
            this.spendingWindow = spendingWindow;
        }
    }
}
