package io.ideogramcamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdeogramCamelMainTest {

    @Test
    void withoutAProfileTheFileBesideTheUserComesBeforeTheJarsCopy() {
        assertThat(IdeogramCamelMain.propertyLocations(null)).isEqualTo(IdeogramCamelMain.PROPERTY_LOCATIONS);
        assertThat(IdeogramCamelMain.PROPERTY_LOCATIONS)
                .startsWith("file:application.properties;optional=true,classpath:");
    }

    @Test
    void aProfilesFileIsReadFirstAndMustExist() {
        assertThat(IdeogramCamelMain.propertyLocations("demo"))
                .isEqualTo("file:application-demo.properties," + IdeogramCamelMain.PROPERTY_LOCATIONS);
    }

    @Test
    void aProfileNameCannotPointElsewhere() {
        assertThatThrownBy(() -> IdeogramCamelMain.propertyLocations("../etc/x")).isInstanceOf(IllegalArgumentException.class);
    }
}
