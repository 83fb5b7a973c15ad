package dev.eventbackbone.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.auth.ApiKey;
import dev.eventbackbone.contracts.auth.ApiKeyStore;
import dev.eventbackbone.contracts.events.AuditErasureRequest;
import dev.eventbackbone.contracts.serde.AvroSerializer;
import dev.eventbackbone.service.ApiError;
import dev.eventbackbone.service.ApiKeyAuthorization;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * {@code POST /v1/audit/erasures}: erases a subject's personal fields from the caller's tenant's
 * audit log (scope {@code erase:audit}). The request goes to every partition of
 * {@code audit.erasures}, since any normalizer task may hold a key of the subject; the answer comes
 * once Kafka has it, and the erasure shows in the log as an {@code audit.subject_erased} record per
 * destroyed key (docs/audit.md, Erasure).
 */
@Path("/v1/audit/erasures")
@Produces(MediaType.APPLICATION_JSON)
public final class ErasureResource {

    static final String SCOPE = "erase:audit";
    static final int MAX_SUBJECT_CHARS = 512;
    static final int MAX_REASON_CHARS = 1000;
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final ApiKeyStore keys;
    private final Producer<byte[], byte[]> producer;
    private final AvroSerializer<Object> serializer;
    private final String topic;
    private final Clock clock;

    ErasureResource(ApiKeyStore keys, Producer<byte[], byte[]> producer, AvroSerializer<Object> serializer,
                    String topic, Clock clock) {
        this.keys = keys;
        this.producer = producer;
        this.serializer = serializer;
        this.topic = topic;
        this.clock = clock;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response erase(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, JsonNode body) {
        ApiKey key = ApiKeyAuthorization.require(keys, authorization, SCOPE);
        if (body == null || !body.isObject()) {
            throw ApiError.of(400, "invalid_body", "The body must be a JSON object such as {\"subject\": \"u-42\","
                    + " \"reason\": \"ticket 1234\"}.").asException();
        }
        String subject = text(body, "subject", MAX_SUBJECT_CHARS);
        if (subject == null || subject.isBlank()) {
            throw ApiError.of(400, "invalid_field", "subject is required: the actorId whose personal fields are to"
                    + " be erased.", "subject").asException();
        }
        String reason = text(body, "reason", MAX_REASON_CHARS);
        AuditErasureRequest request = AuditErasureRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setTenantId(key.tenant())
                .setSubject(subject)
                .setRequestedBy(key.id())
                .setRequestedAt(Instant.ofEpochMilli(clock.millis()))
                .setReason(reason)
                .build();
        int partitions = send(request);
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("requestId", request.getRequestId());
        answer.put("subject", subject);
        answer.put("partitions", partitions);
        answer.put("message", "Accepted: every key of this subject is destroyed as the normalizer reads the request;"
                + " each shows in the log as an audit.subject_erased record naming this requestId.");
        return Response.accepted(answer).build();
    }

    private int send(AuditErasureRequest request) {
        byte[] key = (request.getTenantId() + ":" + request.getSubject()).getBytes(StandardCharsets.UTF_8);
        byte[] value = serializer.serialize(topic, request);
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try {
            int partitions = producer.partitionsFor(topic).size();
            for (int partition = 0; partition < partitions; partition++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("tenant", request.getTenantId().getBytes(StandardCharsets.UTF_8));
                sends.add(producer.send(new ProducerRecord<>(topic, partition, key, value, headers)));
            }
            long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
            for (Future<RecordMetadata> sent : sends) {
                sent.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            return partitions;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw ApiError.of(503, "unavailable", "Kafka did not take the erasure request (" + rootMessage(e)
                    + "); nothing is erased until it does: send it again.").asException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.of(503, "unavailable", "Interrupted while sending the erasure request; send it again.")
                    .asException();
        }
    }

    private static String text(JsonNode body, String field, int maxChars) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.of(400, "invalid_field", field + " must be a string.", field).asException();
        }
        if (value.asText().length() > maxChars) {
            throw ApiError.of(400, "invalid_field", field + " is longer than " + maxChars + " characters.", field)
                    .asException();
        }
        return value.asText();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.toString();
    }
}
