package dev.eventbackbone.registry;

import static dev.eventbackbone.registry.TestSchemas.field;
import static dev.eventbackbone.registry.TestSchemas.fieldWithDefault;
import static dev.eventbackbone.registry.TestSchemas.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CompatibilityLevelTest {

    private static final Schema NAME = parse(record("Person", field("name", "\"string\"")));
    private static final Schema NAME_AND_REQUIRED_AGE = parse(record("Person", field("name", "\"string\""),
            field("age", "\"int\"")));
    private static final Schema NAME_AND_OPTIONAL_AGE = parse(record("Person", field("name", "\"string\""),
            fieldWithDefault("age", "\"int\"", "0")));

    @Test
    void backwardRefusesANewFieldWithoutDefaultAndNamesIt() {
        List<String> violations = CompatibilityLevel.BACKWARD.violations(NAME_AND_REQUIRED_AGE, List.of(NAME));

        assertThat(violations).singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE", "age", "/fields/1");
    }

    @Test
    void forwardAcceptsWhatBackwardRefusesAndTheReverse() {
        assertThat(CompatibilityLevel.FORWARD.violations(NAME_AND_REQUIRED_AGE, List.of(NAME))).isEmpty();
        assertThat(CompatibilityLevel.FORWARD.violations(NAME, List.of(NAME_AND_REQUIRED_AGE))).isNotEmpty();
        assertThat(CompatibilityLevel.BACKWARD.violations(NAME, List.of(NAME_AND_REQUIRED_AGE))).isEmpty();
    }

    @Test
    void fullNeedsDefaultsBothWays() {
        assertThat(CompatibilityLevel.FULL.violations(NAME_AND_OPTIONAL_AGE, List.of(NAME))).isEmpty();
        assertThat(CompatibilityLevel.FULL.violations(NAME_AND_REQUIRED_AGE, List.of(NAME))).isNotEmpty();
        assertThat(CompatibilityLevel.FULL.violations(NAME, List.of(NAME_AND_REQUIRED_AGE))).isNotEmpty();
    }

    @Test
    void onlyTransitiveLevelsLookPastTheLatestVersion() {
        Schema balanceAsString = parse(record("Account", field("balance", "\"string\"")));
        Schema noBalance = parse(record("Account"));
        Schema balanceAsInt = parse(record("Account", fieldWithDefault("balance", "\"int\"", "0")));
        List<Schema> history = List.of(balanceAsString, noBalance);

        assertThat(CompatibilityLevel.BACKWARD.violations(balanceAsInt, history)).isEmpty();
        assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.violations(balanceAsInt, history))
                .singleElement().asString().contains("TYPE_MISMATCH");
    }

    @Test
    void noneAndAnEmptyHistoryAcceptEverything() {
        Schema unrelated = parse("\"string\"");
        assertThat(CompatibilityLevel.NONE.violations(unrelated, List.of(NAME))).isEmpty();
        assertThat(CompatibilityLevel.FULL_TRANSITIVE.violations(unrelated, List.of())).isEmpty();
    }

    @Test
    void parsesLevelNamesIgnoringCaseAndListsTheChoicesOtherwise() {
        assertThat(CompatibilityLevel.parse(" full_transitive ")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThatThrownBy(() -> CompatibilityLevel.parse("SIDEWAYS"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'SIDEWAYS'")
                .hasMessageContaining("BACKWARD_TRANSITIVE");
    }

    private static Schema parse(String schema) {
        return new Schema.Parser().parse(schema);
    }
}
