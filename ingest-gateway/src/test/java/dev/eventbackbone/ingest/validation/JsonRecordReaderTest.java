package dev.eventbackbone.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.events.AnalyticsEvent;
import dev.eventbackbone.contracts.events.AuditActor;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.OrderCommand;
import dev.eventbackbone.contracts.events.OrderCommandType;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.ingest.validation.JsonRecordReader.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class JsonRecordReaderTest {

    // Single quotes only keep the test bodies readable; values parse exactly as with double quotes.
    private static final JsonMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    private static final JsonRecordReader ORDERS = new JsonRecordReader(OrderCommand.getClassSchema());
    private static final JsonRecordReader AUDIT = new JsonRecordReader(AuditRawEvent.getClassSchema());
    private static final JsonRecordReader NOTIFICATIONS = new JsonRecordReader(NotificationRequest.getClassSchema());
    private static final JsonRecordReader ANALYTICS = new JsonRecordReader(AnalyticsEvent.getClassSchema());
    private static final JsonRecordReader REJECTIONS = new JsonRecordReader(RejectedEvent.getClassSchema());

    private static final long RECEIVED_AT = Instant.parse("2026-11-24T10:00:00Z").toEpochMilli();
    private static final String TIMESTAMP = "timestamp (epoch millis or ISO-8601 with offset)";

    @Nested
    class ValidEvents {

        @Test
        void convertsOrderCommandWithNestedItems() {
            GenericData.Record order = converted(ORDERS, order());

            assertThat(order.get("customerId")).isEqualTo("c-42");
            assertThat(order.get("type")).isEqualTo(
                    new GenericData.EnumSymbol(OrderCommand.getClassSchema().getField("type").schema(), "PLACE"));
            assertThat(order.get("receivedAt")).isEqualTo(RECEIVED_AT);
            assertThat((List<?>) order.get("items")).hasSize(3);
            GenericRecord second = (GenericRecord) ((List<?>) order.get("items")).get(1);
            assertThat(second.get("quantity")).isEqualTo(2);
            assertThat(second.get("unitPriceMinor")).isEqualTo(250L);
            assertThat(second.get("name")).isEqualTo("Bolt");
            assertThat(order.get("metadata")).isEqualTo(Map.of("region", "eu-west"));
        }

        @Test
        void writesOrderCommandThatReadsBackAsSpecificClass() throws IOException {
            OrderCommand order = roundTrip(converted(ORDERS, order()), OrderCommand.class);

            assertThat(order.getType()).isEqualTo(OrderCommandType.PLACE);
            assertThat(order.getReceivedAt()).isEqualTo(Instant.ofEpochMilli(RECEIVED_AT));
            assertThat(order.getItems()).hasSize(3);
            assertThat(order.getItems().get(1).getName()).isEqualTo("Bolt");
            assertThat(order.getItems().get(2).getQuantity()).isEqualTo(3);
            assertThat(order.getOrderId()).isNull();
            assertThat(order.getMetadata()).containsEntry("region", "eu-west");
        }

        @Test
        void writesAuditEventWithActorRecordThatReadsBackAsSpecificClass() throws IOException {
            AuditRawEvent event = roundTrip(converted(AUDIT, audit()), AuditRawEvent.class);

            assertThat(event.getActor()).isInstanceOf(AuditActor.class);
            AuditActor actor = (AuditActor) event.getActor();
            assertThat(actor.getId()).isEqualTo("u-1");
            assertThat(actor.getEmail()).isEqualTo("ana@example.com");
            assertThat(actor.getName()).isNull();
            assertThat(event.getOccurredAt()).isEqualTo("2026-11-24T10:00:00Z");
            assertThat(event.getResource().getId()).isEqualTo("s-1");
        }

        @Test
        void writesNotificationRequestThatReadsBackAsSpecificClass() throws IOException {
            NotificationRequest request = roundTrip(converted(NOTIFICATIONS, notification()), NotificationRequest.class);

            assertThat(request.getChannels()).containsExactly(NotificationChannel.EMAIL, NotificationChannel.PUSH);
            assertThat(request.getPriority()).isEqualTo(NotificationPriority.HIGH);
            assertThat(request.getReceivedAt()).isEqualTo(Instant.ofEpochMilli(RECEIVED_AT));
            assertThat(request.getNotBefore()).isEqualTo(Instant.parse("2026-11-24T11:00:00Z"));
            assertThat(request.getData()).containsEntry("invoice", "INV-1");
        }

        @Test
        void writesAnalyticsEventThatReadsBackAsSpecificClass() throws IOException {
            AnalyticsEvent event = roundTrip(converted(ANALYTICS, analytics()), AnalyticsEvent.class);

            assertThat(event.getValue()).isEqualTo(42.0);
            assertThat(event.getOccurredAt()).isEqualTo(Instant.ofEpochMilli(RECEIVED_AT - 1000));
            assertThat(event.getProperties()).containsEntry("plan", "pro");
            assertThat(event.getSessionId()).isNull();
        }

        @Test
        void writesBase64BytesThatReadBackAsTheDecodedBytes() throws IOException {
            ObjectNode body = json("""
                    {'rejectionId':'r-1','reasonCode':'MALFORMED','reason':'not JSON','rejectedAt':1764000000000,
                     'rejectedBy':'ingest-gateway','originalValue':'aGVsbG8=','sourcePartition':3}""");

            RejectedEvent rejection = roundTrip(converted(REJECTIONS, body), RejectedEvent.class);

            assertThat(StandardCharsets.UTF_8.decode(rejection.getOriginalValue()).toString()).isEqualTo("hello");
            assertThat(rejection.getSourcePartition()).isEqualTo(3);
        }
    }

    @Nested
    class Paths {

        @Test
        void namesWrongTypeInArrayElementByIndex() {
            ObjectNode body = order();
            item(body, 2).put("quantity", "3");

            assertThat(errors(ORDERS, body)).containsExactly("items[2].quantity: expected int, got string");
        }

        @Test
        void namesMissingNestedFieldByPath() {
            ObjectNode body = audit();
            body.putObject("actor").put("type", "user");

            assertThat(errors(AUDIT, body)).containsExactly("actor.id: required");
        }

        @Test
        void namesMissingTopLevelFieldBare() {
            ObjectNode body = order();
            body.remove("customerId");

            assertThat(errors(ORDERS, body)).containsExactly("customerId: required");
        }

        @Test
        void namesMapEntryByKey() {
            ObjectNode body = order();
            metadata(body).put("region", 5);

            assertThat(errors(ORDERS, body)).containsExactly("metadata.region: expected string, got number");
        }

        @Test
        void quotesMapKeysThatWouldReadAsPaths() {
            ObjectNode body = order();
            metadata(body).put("eu.west", 5).put("say \"hi\"", true);

            assertThat(errors(ORDERS, body)).containsExactly(
                    "metadata[\"eu.west\"]: expected string, got number",
                    "metadata[\"say \\\"hi\\\"\"]: expected string, got boolean");
        }

        @Test
        void namesBodyThatIsNotAnObjectAsRoot() {
            assertThat(errors(ORDERS, json("[]"))).containsExactly("$: expected OrderCommand object, got array");
            assertThat(errors(ORDERS, json("'order'"))).containsExactly("$: expected OrderCommand object, got string");
        }
    }

    @Nested
    class Records {

        @Test
        void rejectsUnknownFieldAtRoot() {
            ObjectNode body = order();
            body.put("customer", "c-42");

            assertThat(errors(ORDERS, body)).containsExactly("customer: unknown field");
        }

        @Test
        void rejectsUnknownFieldInNestedRecords() {
            ObjectNode body = audit();
            ((ObjectNode) body.get("resource")).put("owner", "u-2");
            ((ObjectNode) body.get("actor")).put("role", "admin");

            assertThat(errors(AUDIT, body)).containsExactly("actor.role: unknown field", "resource.owner: unknown field");
        }

        @Test
        void rejectsUnknownFieldInArrayElement() {
            ObjectNode body = order();
            item(body, 0).put("colour", "red");

            assertThat(errors(ORDERS, body)).containsExactly("items[0].colour: unknown field");
        }

        @Test
        void namesRecordTypeWhenObjectExpected() {
            ObjectNode body = order();
            ((ArrayNode) body.get("items")).set(0, json("[1]"));

            assertThat(errors(ORDERS, body)).containsExactly("items[0]: expected OrderItem object, got array");
        }

        @Test
        void rejectsNonArrayForArray() {
            ObjectNode body = order();
            body.putObject("items");

            assertThat(errors(ORDERS, body)).containsExactly("items: expected array, got object");
        }

        @Test
        void rejectsNonObjectForMap() {
            ObjectNode body = order();
            body.putArray("metadata");

            assertThat(errors(ORDERS, body)).containsExactly("metadata: expected map, got array");
        }
    }

    @Nested
    class Types {

        @Test
        void doesNotCoerceNumbersToStrings() {
            ObjectNode body = order();
            body.put("customerId", 42);

            assertThat(errors(ORDERS, body)).containsExactly("customerId: expected string, got number");
        }

        @Test
        void doesNotCoerceStringsToNumbers() {
            ObjectNode body = order();
            item(body, 0).put("unitPriceMinor", "500");

            assertThat(errors(ORDERS, body)).containsExactly("items[0].unitPriceMinor: expected long, got string");
        }

        @Test
        void rejectsNullForNonNullableField() {
            ObjectNode body = order();
            body.putNull("customerId");

            assertThat(errors(ORDERS, body)).containsExactly("customerId: expected string, got null");
        }

        @Test
        void rejectsExplicitNullWhereOnlyTheDefaultIsEmpty() {
            ObjectNode body = order();
            body.putNull("metadata");

            assertThat(errors(ORDERS, body)).containsExactly("metadata: expected map, got null");
        }

        @Test
        void rejectsIntOutOfRange() {
            ObjectNode body = order();
            item(body, 0).put("quantity", 3_000_000_000L);

            assertThat(errors(ORDERS, body)).containsExactly("items[0].quantity: expected int, got number out of range");
        }

        @Test
        void rejectsLongOutOfRange() {
            ObjectNode body = json("{'sku':'A','quantity':1,'unitPriceMinor':100000000000000000000}");
            ObjectNode order = order();
            ((ArrayNode) order.get("items")).set(0, body);

            assertThat(errors(ORDERS, order))
                    .containsExactly("items[0].unitPriceMinor: expected long, got number out of range");
        }

        @Test
        void rejectsDecimalNumberForInt() {
            ObjectNode body = order();
            item(body, 0).put("quantity", 1.5);

            assertThat(errors(ORDERS, body)).containsExactly("items[0].quantity: expected int, got decimal number");
        }

        @Test
        void acceptsIntegralValuedDecimalForIntAsJsonSchemaDoes() {
            ObjectNode body = order();
            item(body, 0).put("quantity", 2.0);
            item(body, 1).set("unitPriceMinor", json("1e3"));

            GenericData.Record order = converted(ORDERS, body);

            assertThat(item(order, 0).get("quantity")).isEqualTo(2);
            assertThat(item(order, 1).get("unitPriceMinor")).isEqualTo(1000L);
        }

        @Test
        void rejectsIntegralValuedDecimalOutOfRange() {
            ObjectNode body = order();
            item(body, 0).set("quantity", json("3e9"));

            assertThat(errors(ORDERS, body)).containsExactly("items[0].quantity: expected int, got number out of range");
        }

        @Test
        void acceptsAnyNumberForDouble() {
            assertThat(converted(ANALYTICS, analytics().put("value", 42)).get("value")).isEqualTo(42.0);
            assertThat(converted(ANALYTICS, analytics().put("value", 0.25)).get("value")).isEqualTo(0.25);
        }

        @Test
        void decodesBase64Bytes() {
            ObjectNode body = rejection().put("originalValue", "aGVsbG8=");

            ByteBuffer bytes = (ByteBuffer) converted(REJECTIONS, body).get("originalValue");

            assertThat(StandardCharsets.UTF_8.decode(bytes).toString()).isEqualTo("hello");
        }

        @Test
        void rejectsBytesThatAreNotBase64() {
            assertThat(errors(REJECTIONS, rejection().put("originalValue", "not base64!")))
                    .containsExactly("originalValue: expected base64 string, got string that is not base64");
            assertThat(errors(REJECTIONS, rejection().put("originalValue", 7)))
                    .containsExactly("originalValue: expected base64 string, got number");
        }

        @Test
        void readsBooleansFloatsAndFixedOfTheirOwnKind() {
            JsonRecordReader reader = new JsonRecordReader(new Schema.Parser().parse("""
                    {"type":"record","name":"Sample","fields":[
                      {"name":"flag","type":"boolean"},
                      {"name":"ratio","type":"float"},
                      {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}}]}"""));

            GenericData.Record sample = converted(reader, json("{'flag':true,'ratio':0.5,'hash':'AQIDBA=='}"));

            assertThat(sample.get("flag")).isEqualTo(true);
            assertThat(sample.get("ratio")).isEqualTo(0.5f);
            assertThat(((GenericData.Fixed) sample.get("hash")).bytes()).containsExactly(1, 2, 3, 4);
            assertThat(errors(reader, json("{'flag':'yes','ratio':'half','hash':'AQID'}"))).containsExactly(
                    "flag: expected boolean, got string",
                    "ratio: expected float, got string",
                    "hash: expected Hash (4 bytes as base64 string), got 3 bytes");
        }
    }

    @Nested
    class Enums {

        @Test
        void listsTheSymbolsWhenValueIsNoneOfThem() {
            ObjectNode body = notification();
            body.putArray("channels").add("EMAIL").add("FAX");

            assertThat(errors(NOTIFICATIONS, body)).containsExactly("channels[1]: expected one of [EMAIL, SMS, PUSH, WEBHOOK]");
        }

        @Test
        void refusesTheReadersFallbackSymbolFromCallers() {
            ObjectNode body = order().put("type", "UNKNOWN");

            assertThat(errors(ORDERS, body))
                    .containsExactly("type: expected one of [PLACE, CANCEL, CONFIRM_PAYMENT, DECLINE_PAYMENT, COMPLETE]");
        }

        @Test
        void acceptsADefaultSymbolThatIsARealValue() {
            GenericData.Record request = converted(NOTIFICATIONS, notification().put("priority", "NORMAL"));

            assertThat(request.get("priority")).hasToString("NORMAL");
        }

        @Test
        void namesTheEnumWhenValueIsNotAString() {
            ObjectNode body = notification().put("priority", 1);

            assertThat(errors(NOTIFICATIONS, body)).containsExactly("priority: expected NotificationPriority, got number");
        }
    }

    @Nested
    class Unions {

        @Test
        void picksStringBranchForString() {
            GenericData.Record event = converted(AUDIT, audit().put("actor", "u-1"));

            assertThat(event.get("actor")).isEqualTo("u-1");
        }

        @Test
        void picksRecordBranchForObject() {
            GenericData.Record event = converted(AUDIT, audit());

            GenericRecord actor = (GenericRecord) event.get("actor");
            assertThat(actor.getSchema().getName()).isEqualTo("AuditActor");
            assertThat(actor.get("id")).isEqualTo("u-1");
        }

        @Test
        void namesEveryBranchWhenNoneFits() {
            assertThat(errors(AUDIT, audit().put("actor", 42)))
                    .containsExactly("actor: expected string or AuditActor object, got number");
        }

        @Test
        void picksLongOrStringBranchByJsonKind() {
            assertThat(converted(AUDIT, audit().put("occurredAt", 1_700_000_000)).get("occurredAt"))
                    .isEqualTo(1_700_000_000L);
            assertThat(converted(AUDIT, audit().put("occurredAt", "yesterday")).get("occurredAt"))
                    .isEqualTo("yesterday");
        }

        @Test
        void namesNullLastAmongTheBranches() {
            assertThat(errors(AUDIT, audit().put("occurredAt", true)))
                    .containsExactly("occurredAt: expected long, string or null, got boolean");
            assertThat(errors(ORDERS, order().put("traceparent", 5)))
                    .containsExactly("traceparent: expected string or null, got number");
        }

        @Test
        void acceptsNullForNullableField() {
            GenericData.Record order = converted(ORDERS, order().putNull("traceparent").putNull("currency"));

            assertThat(order.get("traceparent")).isNull();
            assertThat(order.get("currency")).isNull();
        }

        @Test
        void letsTheBranchForTheValuesKindSayWhatIsWrong() {
            assertThat(errors(REJECTIONS, rejection().put("sourcePartition", 1.5)))
                    .containsExactly("sourcePartition: expected int, got decimal number");
            assertThat(errors(NOTIFICATIONS, notification().put("notBefore", "soon")))
                    .containsExactly("notBefore: expected " + TIMESTAMP + ", got \"soon\"");
            assertThat(errors(AUDIT, audit().set("actor", json("{'id':7}"))))
                    .containsExactly("actor.id: expected string, got number");
        }

        @Test
        void triesBranchesOfTheSameKindInSchemaOrder() {
            JsonRecordReader reader = new JsonRecordReader(new Schema.Parser().parse("""
                    {"type":"record","name":"Sample","fields":[
                      {"name":"colour","type":["null",{"type":"enum","name":"Colour","symbols":["RED"]},"string"]},
                      {"name":"amount","type":["int","long","double"]},
                      {"name":"shade","type":[{"type":"enum","name":"Shade","symbols":["DARK"]},"bytes"]}]}"""));

            GenericData.Record symbols = converted(reader, json("{'colour':'RED','amount':7,'shade':'DARK'}"));
            GenericData.Record fallbacks = converted(reader, json("{'colour':'blue','amount':3000000000,'shade':'AQI='}"));

            assertThat(symbols.get("colour")).isInstanceOf(GenericData.EnumSymbol.class);
            assertThat(symbols.get("amount")).isEqualTo(7);
            assertThat(fallbacks.get("colour")).isEqualTo("blue");
            assertThat(fallbacks.get("amount")).isEqualTo(3_000_000_000L);
            assertThat(fallbacks.get("shade")).isInstanceOf(ByteBuffer.class);
            assertThat(converted(reader, json("{'colour':null,'amount':2.5,'shade':'DARK'}")).get("amount")).isEqualTo(2.5);
            assertThat(errors(reader, json("{'colour':null,'amount':1,'shade':'LIGHT!'}")))
                    .containsExactly("shade: expected one of [DARK]");
        }
    }

    @Nested
    class Timestamps {

        @Test
        void acceptsEpochMillis() {
            assertThat(converted(ORDERS, order().put("receivedAt", RECEIVED_AT)).get("receivedAt")).isEqualTo(RECEIVED_AT);
        }

        @Test
        void acceptsIsoWithZuluOrNumericOffset() {
            assertThat(converted(ORDERS, order().put("receivedAt", "2026-11-24T10:00:00Z")).get("receivedAt"))
                    .isEqualTo(RECEIVED_AT);
            assertThat(converted(ORDERS, order().put("receivedAt", "2026-11-24T11:00:00+01:00")).get("receivedAt"))
                    .isEqualTo(RECEIVED_AT);
            assertThat(converted(ORDERS, order().put("receivedAt", "2026-11-24T10:00:00.250Z")).get("receivedAt"))
                    .isEqualTo(RECEIVED_AT + 250);
        }

        @Test
        void acceptsIsoInNullableTimestamp() {
            GenericData.Record request = converted(NOTIFICATIONS, notification().put("expiresAt", "2026-11-25T10:00:00Z"));

            assertThat(request.get("expiresAt")).isEqualTo(RECEIVED_AT + 86_400_000);
        }

        @Test
        void rejectsIsoWithoutOffsetQuotingIt() {
            assertThat(errors(ORDERS, order().put("receivedAt", "2026-11-24T10:00:00")))
                    .containsExactly("receivedAt: expected " + TIMESTAMP + ", got \"2026-11-24T10:00:00\"");
        }

        @Test
        void leavesLongTextOutOfTheError() {
            assertThat(errors(ORDERS, order().put("receivedAt", "x".repeat(64))))
                    .containsExactly("receivedAt: expected " + TIMESTAMP + ", got \"" + "x".repeat(64) + "\"");
            assertThat(errors(ORDERS, order().put("receivedAt", "x".repeat(65))))
                    .containsExactly("receivedAt: expected " + TIMESTAMP + ", got string of 65 characters");
        }

        @Test
        void rejectsOtherKindsAndDecimals() {
            assertThat(errors(ORDERS, order().put("receivedAt", true)))
                    .containsExactly("receivedAt: expected " + TIMESTAMP + ", got boolean");
            assertThat(errors(ORDERS, order().put("receivedAt", 1.5)))
                    .containsExactly("receivedAt: expected " + TIMESTAMP + ", got decimal number");
            assertThat(errors(NOTIFICATIONS, notification().put("notBefore", false)))
                    .containsExactly("notBefore: expected " + TIMESTAMP + " or null, got boolean");
        }
    }

    @Nested
    class Defaults {

        @Test
        void fillsMissingFieldsWithTheirDefaults() {
            ObjectNode body = order();
            body.remove(List.of("items", "metadata", "traceparent", "currency"));

            GenericData.Record order = converted(ORDERS, body);

            assertThat((List<?>) order.get("items")).isEmpty();
            assertThat((Map<?, ?>) order.get("metadata")).isEmpty();
            assertThat(order.get("traceparent")).isNull();
            assertThat(order.get("currency")).isNull();
            assertThat(converted(NOTIFICATIONS, (ObjectNode) notification().without("priority")).get("priority"))
                    .hasToString("NORMAL");
        }

        @Test
        void requiresFieldWhoseEnumTypeHasADefault() {
            // An enum's own default only serves readers of newer symbols; it does not make the field optional.
            assertThat(errors(ORDERS, (ObjectNode) order().without("type"))).containsExactly("type: required");
        }

        @Test
        void givesEachEventItsOwnCopyOfMutableDefaults() {
            ObjectNode body = order();
            body.remove("metadata");

            @SuppressWarnings("unchecked")
            Map<String, Object> first = (Map<String, Object>) converted(ORDERS, body).get("metadata");
            first.put("changed", "by a later stage");

            assertThat((Map<?, ?>) converted(ORDERS, body).get("metadata")).isEmpty();
        }
    }

    @Nested
    class Errors {

        @Test
        void collectsEveryErrorInOneRead() {
            ObjectNode body = order();
            body.remove("commandId");
            body.put("customerId", 42);
            item(body, 1).put("quantity", "two");
            item(body, 2).remove("sku");
            metadata(body).putNull("region");
            body.put("priority", "HIGH");

            assertThat(errors(ORDERS, body)).containsExactly(
                    "commandId: required",
                    "customerId: expected string, got number",
                    "items[1].quantity: expected int, got string",
                    "items[2].sku: required",
                    "metadata.region: expected string, got null",
                    "priority: unknown field");
        }

        @Test
        void stopsAtOneHundredErrors() {
            ObjectNode body = order();
            ArrayNode items = body.putArray("items");
            IntStream.range(0, 150).forEach(i -> items.addObject());

            List<String> errors = errors(ORDERS, body);

            assertThat(errors).hasSize(100).startsWith("items[0].sku: required", "items[0].quantity: required");
        }

        @Test
        void printsFieldErrorAsPathThenMessage() {
            assertThat(new FieldError("items[2].quantity", "required")).hasToString("items[2].quantity: required");
        }
    }

    @Test
    void readsRecordThatContainsItself() {
        JsonRecordReader reader = new JsonRecordReader(new Schema.Parser().parse("""
                {"type":"record","name":"Step","fields":[
                  {"name":"value","type":"int"},
                  {"name":"next","type":["null","Step"],"default":null}]}"""));

        GenericData.Record steps = converted(reader, json("{'value':1,'next':{'value':2,'next':{'value':3}}}"));

        assertThat(((GenericRecord) ((GenericRecord) steps.get("next")).get("next")).get("value")).isEqualTo(3);
        assertThat(errors(reader, json("{'value':1,'next':{'value':2,'next':{'value':'3'}}}")))
                .containsExactly("next.next.value: expected int, got string");
    }

    @Test
    void refusesSchemaThatIsNotARecord() {
        assertThatThrownBy(() -> new JsonRecordReader(Schema.create(Schema.Type.STRING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a record");
    }

    @Test
    void givesTheSameAnswersWhenSharedBetweenThreads() throws Exception {
        ObjectNode valid = order();
        ObjectNode invalid = order();
        item(invalid, 2).put("quantity", "3");
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> runs = IntStream.range(0, 8).mapToObj(thread -> threads.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    boolean validIsConverted = ORDERS.read(valid) instanceof Result.Converted;
                    boolean invalidIsRejectedRightly = ORDERS.read(invalid) instanceof Result.Rejected rejected
                            && rejected.errors().equals(List.of(new FieldError("items[2].quantity", "expected int, got string")));
                    if (!validIsConverted || !invalidIsRejectedRightly) {
                        return false;
                    }
                }
                return true;
            })).toList();
            for (Future<Boolean> run : runs) {
                assertThat(run.get()).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static ObjectNode order() {
        return json("""
                {'eventId':'e-1','tenantId':'acme','source':'storefront','receivedAt':1795514400000,
                 'commandId':'cmd-1','type':'PLACE','customerId':'c-42',
                 'items':[{'sku':'A','quantity':1,'unitPriceMinor':500},
                          {'sku':'B','quantity':2,'unitPriceMinor':250,'name':'Bolt'},
                          {'sku':'C','quantity':3,'unitPriceMinor':100}],
                 'currency':'EUR','metadata':{'region':'eu-west'}}""");
    }

    private static ObjectNode audit() {
        return json("""
                {'eventId':'e-2','tenantId':'acme','source':'billing-api','receivedAt':1795514400000,
                 'action':'user.login','actor':{'id':'u-1','type':'user','email':'ana@example.com'},
                 'occurredAt':'2026-11-24T10:00:00Z','resource':{'type':'session','id':'s-1'},
                 'outcome':'success','metadata':{'region':'eu-west'}}""");
    }

    private static ObjectNode notification() {
        return json("""
                {'eventId':'e-3','tenantId':'acme','source':'billing-api','receivedAt':'2026-11-24T10:00:00Z',
                 'recipientId':'u-7','templateId':'invoice-ready','channels':['EMAIL','PUSH'],'priority':'HIGH',
                 'notBefore':'2026-11-24T12:00:00+01:00','data':{'invoice':'INV-1'}}""");
    }

    private static ObjectNode analytics() {
        return json("""
                {'eventId':'e-4','tenantId':'acme','source':'web','receivedAt':1795514400000,
                 'name':'checkout.completed','userId':'u-1','occurredAt':1795514399000,'value':42,
                 'properties':{'plan':'pro'}}""");
    }

    private static ObjectNode rejection() {
        return json("""
                {'rejectionId':'r-1','reasonCode':'MALFORMED','reason':'not JSON','rejectedAt':1795514400000,
                 'rejectedBy':'ingest-gateway','originalValue':''}""");
    }

    private static ObjectNode metadata(ObjectNode order) {
        return (ObjectNode) order.get("metadata");
    }

    private static ObjectNode item(ObjectNode order, int index) {
        return (ObjectNode) order.get("items").get(index);
    }

    private static GenericRecord item(GenericData.Record order, int index) {
        return (GenericRecord) ((List<?>) order.get("items")).get(index);
    }

    private static <T extends JsonNode> T json(String text) {
        try {
            @SuppressWarnings("unchecked")
            T node = (T) MAPPER.readTree(text);
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static GenericData.Record converted(JsonRecordReader reader, JsonNode body) {
        Result result = reader.read(body);
        if (result instanceof Result.Rejected rejected) {
            return fail("expected a record, got " + rejected.errors());
        }
        return ((Result.Converted) result).record();
    }

    private static List<String> errors(JsonRecordReader reader, JsonNode body) {
        Result result = reader.read(body);
        if (result instanceof Result.Converted converted) {
            return fail("expected errors, got " + converted.record());
        }
        return ((Result.Rejected) result).errors().stream().map(FieldError::toString).toList();
    }

    private static <T extends SpecificRecord> T roundTrip(GenericData.Record record, Class<T> type) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return new SpecificDatumReader<>(type).read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }
}
