package dev.eventbackbone.processors.notifications;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationPriority;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Settings of the notification fan-out and its delivery workers ({@code notifications:} in the YAML). */
public class NotificationSettings {

    private boolean enabled = true;

    @NotBlank
    private String applicationId = NotificationTopology.COMPONENT;

    private Path templatesDir;

    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration releaseInterval = Duration.milliseconds(100);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MINUTES)
    private Duration dedupeWindow = Duration.days(7);

    @NotNull
    private Duration preferencesWait = Duration.seconds(30);

    @Valid
    @NotNull
    private Map<NotificationChannel, ChannelLimit> channels = defaultChannels();

    @Valid
    @NotNull
    private Map<NotificationPriority, RecipientLimit> recipientLimits = defaultRecipientLimits();

    @NotEmpty
    private List<@NotNull Duration> retrySchedule = new ArrayList<>(List.of(Duration.seconds(5), Duration.minutes(5),
            Duration.minutes(30), Duration.hours(2), Duration.hours(5), Duration.hours(10), Duration.hours(10)));

    private boolean workers = true;

    @Valid
    @NotNull
    private EmailSettings email = new EmailSettings();

    @Valid
    @NotNull
    private List<HttpProviderSettings> sms = new ArrayList<>();

    @Valid
    @NotNull
    private List<HttpProviderSettings> push = new ArrayList<>();

    @Valid
    @NotNull
    private WebhookSettings webhook = new WebhookSettings();

    /** Whether this instance runs the notification fan-out, its workers and its query; false leaves it to other instances. */
    @JsonProperty
    public boolean isEnabled() {
        return enabled;
    }

    @JsonProperty
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** The fan-out's own Streams application, apart from the audit normalizer's and the orders'. */
    @JsonProperty
    public String getApplicationId() {
        return applicationId;
    }

    @JsonProperty
    public void setApplicationId(String applicationId) {
        this.applicationId = applicationId;
    }

    /**
     * Directory of Mustache templates: {@code <tenant>/<templateId>.<locale>.mustache} and
     * {@code <tenant>/<templateId>.mustache} (docs/notifications.md); {@code default/} serves every tenant.
     */
    @JsonProperty
    public Path getTemplatesDir() {
        return templatesDir;
    }

    @JsonProperty
    public void setTemplatesDir(Path templatesDir) {
        this.templatesDir = templatesDir;
    }

    /** How often waiting messages are released, in priority order, within the channels' rates. */
    @JsonProperty
    public Duration getReleaseInterval() {
        return releaseInterval;
    }

    @JsonProperty
    public void setReleaseInterval(Duration releaseInterval) {
        this.releaseInterval = releaseInterval;
    }

    /**
     * How long a request for a recipient without preferences waits for them before it is fanned
     * out without (its channels then fail with no_address); 0 fans it out at once.
     */
    @JsonProperty
    public Duration getPreferencesWait() {
        return preferencesWait;
    }

    @JsonProperty
    public void setPreferencesWait(Duration preferencesWait) {
        this.preferencesWait = preferencesWait;
    }

    /** How long a request's eventId is remembered: a repeat within it is fanned out once. */
    @JsonProperty
    public Duration getDedupeWindow() {
        return dedupeWindow;
    }

    @JsonProperty
    public void setDedupeWindow(Duration dedupeWindow) {
        this.dedupeWindow = dedupeWindow;
    }

    /** Each channel provider's rate for the whole deployment, e.g. {@code email: {rate: 50, burst: 10}}. */
    @JsonProperty
    public Map<NotificationChannel, ChannelLimit> getChannels() {
        return channels;
    }

    @JsonProperty
    public void setChannels(Map<NotificationChannel, ChannelLimit> channels) {
        Map<NotificationChannel, ChannelLimit> merged = defaultChannels();
        merged.putAll(channels);
        this.channels = merged;
    }

    /** Per recipient and priority, e.g. {@code LOW: {max: 3, per: 1h}}; HIGH and CRITICAL are never throttled. */
    @JsonProperty
    public Map<NotificationPriority, RecipientLimit> getRecipientLimits() {
        return recipientLimits;
    }

    @JsonProperty
    public void setRecipientLimits(Map<NotificationPriority, RecipientLimit> recipientLimits) {
        this.recipientLimits = new EnumMap<>(NotificationPriority.class);
        this.recipientLimits.putAll(recipientLimits);
    }

    /** The wait before each retry (full jitter below it); its length is the number of retries. */
    @JsonProperty
    public List<Duration> getRetrySchedule() {
        return retrySchedule;
    }

    @JsonProperty
    public void setRetrySchedule(List<Duration> retrySchedule) {
        this.retrySchedule = retrySchedule;
    }

    /** Whether this instance runs the delivery workers too (they can run apart from the fan-out). */
    @JsonProperty
    public boolean isWorkers() {
        return workers;
    }

    @JsonProperty
    public void setWorkers(boolean workers) {
        this.workers = workers;
    }

    @JsonProperty
    public EmailSettings getEmail() {
        return email;
    }

    @JsonProperty
    public void setEmail(EmailSettings email) {
        this.email = email;
    }

    /** SMS providers in failover order, each a generic JSON HTTP provider (docs/notifications.md). */
    @JsonProperty
    public List<HttpProviderSettings> getSms() {
        return sms;
    }

    @JsonProperty
    public void setSms(List<HttpProviderSettings> sms) {
        this.sms = sms;
    }

    /** Push providers in failover order, each a generic JSON HTTP provider. */
    @JsonProperty
    public List<HttpProviderSettings> getPush() {
        return push;
    }

    @JsonProperty
    public void setPush(List<HttpProviderSettings> push) {
        this.push = push;
    }

    @JsonProperty
    public WebhookSettings getWebhook() {
        return webhook;
    }

    @JsonProperty
    public void setWebhook(WebhookSettings webhook) {
        this.webhook = webhook;
    }

    private static Map<NotificationChannel, ChannelLimit> defaultChannels() {
        Map<NotificationChannel, ChannelLimit> channels = new EnumMap<>(NotificationChannel.class);
        channels.put(NotificationChannel.EMAIL, new ChannelLimit(50, 10));
        channels.put(NotificationChannel.SMS, new ChannelLimit(10, 5));
        channels.put(NotificationChannel.PUSH, new ChannelLimit(200, 50));
        channels.put(NotificationChannel.WEBHOOK, new ChannelLimit(200, 50));
        return channels;
    }

    private static Map<NotificationPriority, RecipientLimit> defaultRecipientLimits() {
        Map<NotificationPriority, RecipientLimit> limits = new EnumMap<>(NotificationPriority.class);
        limits.put(NotificationPriority.LOW, new RecipientLimit(3, Duration.hours(1)));
        limits.put(NotificationPriority.NORMAL, new RecipientLimit(20, Duration.hours(1)));
        return limits;
    }

    /** A provider's rate for the whole deployment: messages per second, and how many may go at once. */
    public static class ChannelLimit {
        @DecimalMin("0.001")
        private double rate;
        @Min(1)
        private int burst;

        public ChannelLimit() {
        }

        public ChannelLimit(double rate, int burst) {
            this.rate = rate;
            this.burst = burst;
        }

        @JsonProperty
        public double getRate() {
            return rate;
        }

        @JsonProperty
        public void setRate(double rate) {
            this.rate = rate;
        }

        @JsonProperty
        public int getBurst() {
            return burst;
        }

        @JsonProperty
        public void setBurst(int burst) {
            this.burst = burst;
        }
    }

    /** At most {@code max} messages of a priority to one recipient in any window of {@code per}. */
    public static class RecipientLimit {
        @Min(1)
        private int max;
        @NotNull
        @MinDuration(value = 1, unit = TimeUnit.SECONDS)
        private Duration per;

        public RecipientLimit() {
        }

        public RecipientLimit(int max, Duration per) {
            this.max = max;
            this.per = per;
        }

        @JsonProperty
        public int getMax() {
            return max;
        }

        @JsonProperty
        public void setMax(int max) {
            this.max = max;
        }

        @JsonProperty
        public Duration getPer() {
            return per;
        }

        @JsonProperty
        public void setPer(Duration per) {
            this.per = per;
        }
    }

    /** Outgoing mail: the sender, and SMTP servers in failover order. */
    public static class EmailSettings {
        @NotBlank
        private String from = "Event Backbone <notifications@localhost>";
        @Valid
        @NotNull
        private List<SmtpServer> smtp = new ArrayList<>();

        @JsonProperty
        public String getFrom() {
            return from;
        }

        @JsonProperty
        public void setFrom(String from) {
            this.from = from;
        }

        @JsonProperty
        public List<SmtpServer> getSmtp() {
            return smtp;
        }

        @JsonProperty
        public void setSmtp(List<SmtpServer> smtp) {
            this.smtp = smtp;
        }
    }

    /** One SMTP server (submission). */
    public static class SmtpServer {
        @NotBlank
        private String host = "127.0.0.1";
        @Min(1)
        private int port = 25;
        private String username;
        private String password;
        private boolean startTls;

        public SmtpServer() {
        }

        public SmtpServer(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @JsonProperty
        public String getHost() {
            return host;
        }

        @JsonProperty
        public void setHost(String host) {
            this.host = host;
        }

        @JsonProperty
        public int getPort() {
            return port;
        }

        @JsonProperty
        public void setPort(int port) {
            this.port = port;
        }

        @JsonProperty
        public String getUsername() {
            return username;
        }

        @JsonProperty
        public void setUsername(String username) {
            this.username = username;
        }

        @JsonProperty
        public String getPassword() {
            return password;
        }

        @JsonProperty
        public void setPassword(String password) {
            this.password = password;
        }

        /** Require STARTTLS before sending (a server that cannot offer it fails the attempt). */
        @JsonProperty
        public boolean isStartTls() {
            return startTls;
        }

        @JsonProperty
        public void setStartTls(boolean startTls) {
            this.startTls = startTls;
        }
    }

    /** A generic JSON HTTP provider for SMS or push (docs/notifications.md, "Provider interface"). */
    public static class HttpProviderSettings {
        @NotBlank
        private String name;
        @NotBlank
        private String url;
        private String token;

        @JsonProperty
        public String getName() {
            return name;
        }

        @JsonProperty
        public void setName(String name) {
            this.name = name;
        }

        @JsonProperty
        public String getUrl() {
            return url;
        }

        @JsonProperty
        public void setUrl(String url) {
            this.url = url;
        }

        /** Sent as {@code Authorization: Bearer <token>} when set. */
        @JsonProperty
        public String getToken() {
            return token;
        }

        @JsonProperty
        public void setToken(String token) {
            this.token = token;
        }
    }

    /** Webhook delivery: the request timeout and each tenant's signing secrets, newest first. */
    public static class WebhookSettings {
        @NotNull
        @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
        private Duration timeout = Duration.seconds(15);
        @NotNull
        private Map<String, List<String>> secrets = new LinkedHashMap<>();

        @JsonProperty
        public Duration getTimeout() {
            return timeout;
        }

        @JsonProperty
        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        /**
         * Per tenant, its {@code whsec_} secrets: every one signs each webhook (a space-separated
         * {@code webhook-signature}), so a receiver keeps verifying while a secret rotates.
         */
        @JsonProperty
        public Map<String, List<String>> getSecrets() {
            return secrets;
        }

        @JsonProperty
        public void setSecrets(Map<String, List<String>> secrets) {
            this.secrets = secrets;
        }
    }
}
