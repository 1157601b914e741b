package dev.nacosboot.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NacosConfigLocationTests {

	@Test
	void bareImportNamesNoDataId() {
		NacosConfigLocation location = NacosConfigLocation.parse("");

		assertThat(location.isBare()).isTrue();
		assertThat(location.group()).isNull();
		assertThat(location.refresh()).isNull();
	}

	@Test
	void explicitDataIdsAreSeparatedByCommaOrSemicolon() {
		assertThat(NacosConfigLocation.parse("a.yaml,b.properties").dataIds()).containsExactly("a.yaml",
				"b.properties");
		assertThat(NacosConfigLocation.parse("a.yaml; b.properties").dataIds()).containsExactly("a.yaml",
				"b.properties");
	}

	@Test
	void parametersSetGroupNamespaceAndRefresh() {
		NacosConfigLocation location = NacosConfigLocation.parse("app.yaml?group=G1&namespace=dev&refresh=false");

		assertThat(location.dataIds()).containsExactly("app.yaml");
		assertThat(location.group()).isEqualTo("G1");
		assertThat(location.namespace()).isEqualTo("dev");
		assertThat(location.refresh()).isFalse();
	}

	@Test
	void springCloudAlibabaRefreshEnabledParameterIsAccepted() {
		NacosConfigLocation location = NacosConfigLocation.parse("app.yaml?group=G&refreshEnabled=true");

		assertThat(location.group()).isEqualTo("G");
		assertThat(location.refresh()).isTrue();
	}

	@Test
	void leadingSlashesAreTolerated() {
		assertThat(NacosConfigLocation.parse("//app.yaml").dataIds()).containsExactly("app.yaml");
	}

	@Test
	void unknownParameterIsRejectedByNameListingTheParametersOfBothSyntaxes() {
		assertThatIllegalArgumentException().isThrownBy(() -> NacosConfigLocation.parse("app.yaml?grop=G"))
			.withMessageContaining("'grop'")
			.withMessageContaining("group, namespace, refresh, preference")
			.withMessageContaining("Spring Cloud Alibaba's group, refreshEnabled, preference");
	}

	@ParameterizedTest
	@CsvSource({ "remote, REMOTE", "REMOTE, REMOTE", "local, LOCAL", "Local, LOCAL", "local-first, LOCAL_FIRST",
			"LOCAL_FIRST, LOCAL_FIRST" })
	void springCloudAlibabaPreferenceParameterIsAcceptedInAnyCase(String value, NacosConfigPreference expected) {
		assertThat(NacosConfigLocation.parse("app.yaml?group=G&preference=" + value).preference()).isEqualTo(expected);
	}

	@Test
	void everyParameterSpringCloudAlibabasResolverReadsIsAccepted() {
		NacosConfigLocation location = NacosConfigLocation
			.parse("app.yaml?group=G&refreshEnabled=false&preference=remote");

		assertThat(location.group()).isEqualTo("G");
		assertThat(location.refresh()).isFalse();
		assertThat(location.preference()).isEqualTo(NacosConfigPreference.REMOTE);
	}

	@Test
	void dataIdWithoutExtensionAndBareImportAreAccepted() {
		assertThat(NacosConfigLocation.parse("app?group=G").dataIds()).containsExactly("app");
		assertThat(NacosConfigLocation.parse("?preference=remote").isBare()).isTrue();
	}

	@Test
	void unknownPreferenceIsRejectedNamingTheValues() {
		assertThatIllegalArgumentException().isThrownBy(() -> NacosConfigLocation.parse("app.yaml?preference=cloud"))
			.withMessageContaining("local, remote or local-first")
			.withMessageContaining("'cloud'");
	}

	@Test
	void nonBooleanRefreshIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> NacosConfigLocation.parse("app.yaml?refresh=yes"))
			.withMessageContaining("true or false");
	}

}
