package dev.eventbackbone.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiErrorMapperTest {

    private final ApiErrorMapper mapper = new ApiErrorMapper("The API: GET /v1/things.",
            "The thing store failed (%s); nothing was changed.");

    @Test
    void rendersTheErrorBodyWithoutStatusOrRetryFieldsAndSetsRetryAfter() throws Exception {
        ApiError error = ApiError.of(503, "kafka_unavailable", "Kafka did not answer.").retryAfter(2);

        Response response = mapper.toResponse(error.asException());

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeaderString("Retry-After")).isEqualTo("2");
        assertThat(new ObjectMapper().writeValueAsString(response.getEntity()))
                .isEqualTo("{\"error\":\"kafka_unavailable\",\"message\":\"Kafka did not answer.\",\"details\":[]}");
    }

    @Test
    void aBadParameterNamesTheField() {
        ApiError error = ApiError.badParameter("limit", "limit must be between 1 and 1000, not 0.");

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.error()).isEqualTo("invalid_parameter");
        assertThat(error.details())
                .containsExactly(new ApiError.Detail("limit", "limit must be between 1 and 1000, not 0."));
        assertThat(mapper.toResponse(error.asException()).getHeaderString("Retry-After")).isNull();
    }

    @Test
    void jerseysOwnErrorsGetACodeAndANotFoundListsTheApi() {
        ApiError notFound = (ApiError) mapper.toResponse(new NotFoundException("HTTP 404 Not Found")).getEntity();
        ApiError notAllowed = (ApiError) mapper.toResponse(new NotAllowedException("GET")).getEntity();

        assertThat(notFound.error()).isEqualTo("not_found");
        assertThat(notFound.message()).isEqualTo("HTTP 404 Not Found. The API: GET /v1/things.");
        assertThat(notAllowed.status()).isEqualTo(405);
        assertThat(notAllowed.error()).isEqualTo("method_not_allowed");
    }

    @Test
    void anUnexpectedFailureIsA500ThatKeepsItsDetailsOutOfTheAnswer() {
        Response response = mapper.toResponse(new IllegalStateException("secret internals"));

        ApiError body = (ApiError) response.getEntity();
        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(body.error()).isEqualTo("internal_error");
        assertThat(body.message()).isEqualTo("The thing store failed (IllegalStateException); nothing was changed.")
                .doesNotContain("secret");
        assertThat(body.details()).isEqualTo(List.of());
    }
}
